import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { FAULT_PROFILES, type FaultProfile, SimulatedBindings, simAddress } from "../../src/sim";
import {
  type Clock,
  exchange,
  frameIsValid,
  framesOf,
  installClock,
  type NoblePeripheral,
  nobleOver,
  openLink,
  poweredOn,
  READ_BASIC,
  READ_CELLS,
  READ_VERSION,
  scan,
  settle,
} from "./sim-harness";

/** Only the fault under test, at probability 1 (or the given rate). */
const only = (fault: Partial<FaultProfile>): FaultProfile => ({ ...FAULT_PROFILES.none, ...fault });

describe("simulator: each fault is observable as intended", () => {
  let clock: Clock;
  let bindings: SimulatedBindings;
  beforeEach(() => {
    clock = installClock();
  });
  afterEach(() => {
    bindings.dispose();
    clock.uninstall();
  });

  async function connected(faults: FaultProfile = FAULT_PROFILES.none) {
    bindings = new SimulatedBindings({ batteries: 1, cells: 4, latency: "realistic", faults, seed: 7 });
    const noble = nobleOver(bindings);
    await poweredOn(clock, noble);
    bindings.battery(simAddress(1))?.setCurrent(-2);
    return { noble, link: await openLink(clock, noble, 1) };
  }

  async function found(faults: FaultProfile): Promise<NoblePeripheral> {
    bindings = new SimulatedBindings({ batteries: 1, cells: 4, latency: "realistic", faults });
    const noble = nobleOver(bindings);
    await poweredOn(clock, noble);
    const [peripheral] = await scan(clock, noble, ["ff00"]);
    assert.ok(peripheral);
    return peripheral;
  }

  it("connectFailure: connect ends in an error after the connect latency", async () => {
    const peripheral = await found(only({ connectFailure: 1 }));
    await assert.rejects(settle(clock, peripheral.connectAsync()), /Connection Failed to be Established \(0x3e\)/);
    assert.equal(bindings.stats().faults.connectFailure, 1);
  });

  it("connectHang: only cancelConnect ends it, and the controller answers the cancel with the connect's end", async () => {
    const peripheral = await found(only({ connectHang: 1 }));
    const connectEvents: unknown[][] = [];
    bindings.on("connect", (...args) => connectEvents.push(args));
    const attempt = peripheral.connectAsync();
    attempt.catch(() => undefined);
    await assert.rejects(settle(clock, attempt, 60_000), /still pending/);
    peripheral.cancelConnect();
    await assert.rejects(attempt, /connection canceled/);
    await clock.tickAsync(60_000);
    // As noble's HCI bindings report the LE Connection Complete that ends a cancelled connect; nothing after it.
    assert.equal(connectEvents.length, 1);
    assert.equal(connectEvents[0]?.[0], peripheral.id);
    assert.match(String(connectEvents[0]?.[1]), /Unknown Connection Identifier \(0x2\)/);
    assert.equal(bindings.pendingTimers, 0);
    bindings.setFaults("none");
    await settle(clock, peripheral.connectAsync());
    assert.equal(bindings.stats().connects, 1);
  });

  it("connectAfterCancel: the controller completed the connect before the cancel, so the link comes up", async () => {
    const peripheral = await found(only({ connectHang: 1, connectAfterCancel: 1 }));
    const connectEvents: unknown[][] = [];
    bindings.on("connect", (...args) => connectEvents.push(args));
    const attempt = peripheral.connectAsync();
    attempt.catch(() => undefined);
    await clock.tickAsync(60_000);
    peripheral.cancelConnect();
    await assert.rejects(attempt, /connection canceled/);
    await clock.tickAsync(1_000);
    assert.deepEqual(connectEvents, [[peripheral.id, null]]);
    assert.equal(peripheral.state, "connected");
    assert.equal(bindings.stats().faults.connectAfterCancel, 1);
    await settle(clock, peripheral.disconnectAsync());
  });

  it("cancelUnanswered: no answer, and every later connect of the adapter waits behind it until it restarts", async () => {
    bindings = new SimulatedBindings({ batteries: 2, cells: 4, latency: "realistic", faults: only({}), seed: 3 });
    const noble = nobleOver(bindings);
    await poweredOn(clock, noble);
    const [first, second] = await scan(clock, noble, ["ff00", "fff0"]);
    assert.ok(first && second);
    const connectEvents: unknown[][] = [];
    bindings.on("connect", (...args) => connectEvents.push(args));
    bindings.setFaults(only({ connectHang: 1, cancelUnanswered: 1 }));
    const lost = first.connectAsync();
    lost.catch(() => undefined);
    await clock.tickAsync(10_000);
    first.cancelConnect();
    await clock.tickAsync(60_000);
    assert.deepEqual(connectEvents, [], "the cancel is never answered");

    bindings.setFaults("none");
    const queued = second.connectAsync();
    queued.catch(() => undefined);
    await assert.rejects(settle(clock, queued, 60_000), /still pending/, "a healthy battery waits behind it");
    bindings.restartAdapter("the controller never answered the cancel");
    await assert.rejects(queued, /adapter restarted/);
    assert.equal(bindings.state, "poweredOff");
    await poweredOn(clock, noble);
    await settle(clock, second.connectAsync());
    await settle(clock, first.connectAsync());
    assert.deepEqual(bindings.stats().faults.cancelUnanswered, 1);
    assert.equal(bindings.stats().restarts, 1);
  });

  it("linkDrop: a connected link is lost with reason 0x08 after about the mean time", async () => {
    const { link } = await connected(only({ linkDropMeanMs: 60_000 }));
    const reason = new Promise((resolve) => link.peripheral.once("disconnect", resolve));
    assert.equal(await settle(clock, reason, 3_600_000), 0x08);
    assert.equal(bindings.stats().faults.linkDrop, 1);
  });

  it("silentLinkLoss: noble keeps the link, nothing is answered, the disconnect is never confirmed, until a restart", async () => {
    const { link } = await connected(only({ linkDropMeanMs: 60_000, silentLinkLoss: 1 }));
    const reasons: unknown[] = [];
    link.peripheral.once("disconnect", (reason) => reasons.push(reason));
    for (let waited = 0; bindings.stats().faults.silentLinkLoss === 0 && waited < 3_600_000; waited += 1000) {
      await clock.tickAsync(1000);
    }
    assert.equal(bindings.stats().faults.silentLinkLoss, 1);
    assert.equal(link.peripheral.state, "connected", "noble was told nothing");
    assert.deepEqual(await exchange(clock, link, READ_BASIC, 10_000), []);
    link.peripheral.disconnectAsync().catch(() => undefined);
    await clock.tickAsync(60_000);
    assert.deepEqual(reasons, [], "the disconnect is never confirmed");
    assert.equal(bindings.batteryState(simAddress(1))?.heldBy, null, "the battery itself is free and advertises");

    bindings.restartAdapter("never confirmed the disconnect");
    assert.deepEqual(reasons, [0x08], "the restart reports the link lost");
    assert.equal(bindings.pendingTimers, 1, "only the restart's own timer");
    await clock.tickAsync(1_500);
    assert.equal(bindings.state, "poweredOn");
  });

  it("lostReply: no reply at all", async () => {
    const { link } = await connected();
    bindings.setFaults(only({ lostReply: 1 }));
    assert.deepEqual(await exchange(clock, link, READ_BASIC, 10_000), []);
    assert.equal(bindings.stats().faults.lostReply, 1);
  });

  it("lateReply: nothing within a 3 s command timeout, the whole frame after lateReplyMs", async () => {
    const { link } = await connected();
    bindings.setFaults(only({ lateReply: 1, lateReplyMs: 3500 }));
    assert.deepEqual(await exchange(clock, link, READ_BASIC, 3000), []);
    await clock.tickAsync(1000);
    const frames = framesOf(link.chunks);
    assert.equal(frames.length, 1);
    assert.ok(frames[0] && frameIsValid(frames[0]));
  });

  it("duplicateReply: the same frame arrives twice", async () => {
    const { link } = await connected();
    bindings.setFaults(only({ duplicateReply: 1 }));
    const frames = framesOf(await exchange(clock, link, READ_VERSION));
    assert.equal(frames.length, 2);
    assert.deepEqual(frames[0], frames[1]);
  });

  it("replies share one serial stream: a repeated reply never interleaves with the next one", async () => {
    const { link } = await connected();
    bindings.setFaults(only({ duplicateReply: 1 }));
    for (let round = 0; round < 20; round++) {
      // Both requests at once: four replies (each sent twice) compete for the link's notifications.
      const first = await exchange(clock, link, READ_BASIC, 0);
      const rest = await exchange(clock, link, READ_CELLS, 1_000);
      const frames = framesOf([...first, ...rest]);
      assert.deepEqual(
        frames.map((frame) => frame[1]),
        [0x03, 0x03, 0x04, 0x04],
        `round ${round}: ${frames.map((f) => f.toString("hex")).join(" ")}`,
      );
      assert.ok(frames.every(frameIsValid), `round ${round}: a frame was mixed with another`);
    }
  });

  it("corruptedNotification: one byte of the reply is flipped", async () => {
    const { link } = await connected();
    const clean = Buffer.concat(await exchange(clock, link, READ_VERSION));
    bindings.setFaults(only({ corruptedNotification: 1 }));
    const damaged = Buffer.concat(await exchange(clock, link, READ_VERSION));
    assert.equal(damaged.length, clean.length);
    const differing = [...damaged].filter((byte, i) => byte !== clean[i]).length;
    assert.equal(differing, 1);
  });

  it("truncatedFrame: the last notification is missing", async () => {
    const { link } = await connected();
    bindings.setFaults(only({ truncatedFrame: 1 }));
    const chunks = await exchange(clock, link, READ_BASIC);
    assert.deepEqual(
      chunks.map((c) => c.length),
      [20],
    );
    assert.deepEqual(framesOf(chunks), []);
  });

  it("firstRequestIgnored: the first request after connect gets nothing, the retry is answered", async () => {
    const { link } = await connected(only({ firstRequestIgnored: 1 }));
    assert.deepEqual(await exchange(clock, link, READ_BASIC, 3000), []);
    assert.equal(framesOf(await exchange(clock, link, READ_BASIC)).length, 1);
  });

  it("needsPairing: every request comes back byte for byte", async () => {
    const { link } = await connected(only({ needsPairing: 1 }));
    assert.deepEqual(
      framesOf(await exchange(clock, link, READ_BASIC)).map((f) => f.toString("hex")),
      [READ_BASIC],
    );
  });

  it("power-off window: the adapter goes off and comes back after powerOffMs", async () => {
    bindings = new SimulatedBindings({
      batteries: 1,
      cells: 4,
      latency: "instant",
      faults: only({ powerOffMeanMs: 60_000, powerOffMs: 5_000 }),
    });
    const noble = nobleOver(bindings);
    await poweredOn(clock, noble);
    const states: { state: string; at: number }[] = [];
    noble.on("stateChange", (state: string) => states.push({ state, at: Date.now() }));
    await settle(clock, new Promise<void>((resolve) => noble.once("stateChange", () => resolve())), 3_600_000);
    await clock.tickAsync(5_000);
    assert.deepEqual(
      states.slice(0, 2).map((s) => s.state),
      ["poweredOff", "poweredOn"],
    );
    assert.equal((states[1]?.at ?? 0) - (states[0]?.at ?? 0), 5_000);
  });

  it("the documented profiles order none < flaky < hostile on every rate", () => {
    const { none, flaky, hostile } = FAULT_PROFILES;
    for (const key of ["connectFailure", "connectHang", "lostReply", "lateReply", "firstRequestIgnored"] as const) {
      assert.equal(none[key], 0);
      assert.ok(flaky[key] > 0 && hostile[key] > flaky[key], key);
    }
    assert.ok(hostile.linkDropMeanMs < flaky.linkDropMeanMs && hostile.linkDropMeanMs > 0);
    // The faults that only a restart of the adapter mends are hostile's alone.
    for (const key of ["connectAfterCancel", "cancelUnanswered", "silentLinkLoss"] as const) {
      assert.equal(none[key] + flaky[key], 0, key);
      assert.ok(hostile[key] > 0, key);
    }
  });
});
