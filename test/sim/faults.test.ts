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

  it("connectHang: only cancelConnect ends it, noble reports the cancel, and no late connect event follows", async () => {
    const peripheral = await found(only({ connectHang: 1 }));
    const connectEvents: unknown[] = [];
    bindings.on("connect", (...args) => connectEvents.push(args));
    const attempt = peripheral.connectAsync();
    attempt.catch(() => undefined);
    await assert.rejects(settle(clock, attempt, 60_000), /still pending/);
    peripheral.cancelConnect();
    await assert.rejects(attempt, /connection canceled/);
    await clock.tickAsync(60_000);
    assert.deepEqual(connectEvents, []);
    assert.equal(bindings.pendingTimers, 0);
    bindings.setFaults("none");
    await settle(clock, peripheral.connectAsync());
    assert.equal(bindings.stats().connects, 1);
  });

  it("linkDrop: a connected link is lost with reason 0x08 after about the mean time", async () => {
    const { link } = await connected(only({ linkDropMeanMs: 60_000 }));
    const reason = new Promise((resolve) => link.peripheral.once("disconnect", resolve));
    assert.equal(await settle(clock, reason, 3_600_000), 0x08);
    assert.equal(bindings.stats().faults.linkDrop, 1);
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
  });
});
