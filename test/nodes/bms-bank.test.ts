import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import FakeTimers from "@sinonjs/fake-timers";
import { buildPayload, decodeBasicInfo, parseFrame } from "../../src/protocol";
import { roundTo } from "../../src/protocol/rounding";
import { timeRemainingSeconds } from "../../src/protocol/time-remaining";
import { basicInfoFrame } from "../protocol/bytes";
import {
  exchange,
  type FlowNode,
  helper,
  type Msg,
  nextMessage,
  node,
  OUR_NODES,
  STATUS,
  simAdapter,
  simulatorOf,
  statusesOf,
  statusTexts,
  tab,
  until,
  warningsOf,
} from "./flow-harness";

// Three simulated packs of different capacities (the simulator's models: battery 1 is 200 Ah, 2 is 100 Ah, 4 is
// 280 Ah) polled by real bms-poll nodes into a bms-bank; battery 3 is polled too but is not one of the bank's packs.
const BATTERIES = 4;
const PACK = { 1: "AA:BB:CC:00:00:01", 2: "AA:BB:CC:00:00:02", 3: "AA:BB:CC:00:00:03", 4: "AA:BB:CC:00:00:04" };
const BANK_PACKS = [PACK[1], PACK[2], PACK[4]];
const BANK = "@bmskit/node-red-jbd-bms/bms-bank:bms-bank.";

function poll(id: string, address: string): FlowNode {
  return {
    id,
    type: "bms-poll",
    z: "f1",
    name: "",
    adapter: "a1",
    address,
    topic: "",
    interval: 0,
    onFailure: "last",
    staleLimit: 3,
    wires: [["bank", "tap"]],
  };
}

function flow(bank: Record<string, unknown> = {}): FlowNode[] {
  return [
    tab,
    // A long idle timeout: the fake Date jumps a minute ahead, which must not close the links underneath.
    simAdapter("a1", BATTERIES, { idleTimeout: 3600 }),
    poll("p1", PACK[1]),
    poll("p2", PACK[2]),
    poll("p3", PACK[3]),
    poll("p4", PACK[4]),
    {
      id: "bank",
      type: "bms-bank",
      z: "f1",
      name: "",
      packs: BANK_PACKS,
      maxAge: 60,
      topic: "",
      wires: [["out"]],
      ...bank,
    },
    { id: "out", type: "helper", z: "f1" },
    { id: "tap", type: "helper", z: "f1" },
    { id: "c1", type: "catch", z: "f1", scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper", z: "f1" },
  ];
}

/** Sets the simulated packs to known charge levels and a steady discharge, so no protection trips on its own. */
function settle(socs: Record<1 | 2 | 4, number>): void {
  const sim = simulatorOf(BATTERIES);
  for (const [n, soc] of Object.entries(socs)) {
    const battery = sim.battery(PACK[Number(n) as 1 | 2 | 4])!;
    battery.soc = soc;
    battery.setCurrent(-8);
  }
}

/** Polls one pack: resolves with the poll's own output (tapped) and the bank's output it caused. */
async function pollPack(id: string): Promise<{ pack: Msg; bank: Msg }> {
  const pack = nextMessage("tap");
  const bank = nextMessage("out");
  node(id).receive({});
  return { pack: await pack, bank: await bank };
}

const sum = (msgs: Msg[], pick: (payload: Msg) => number) => msgs.reduce((total, m) => total + pick(m.payload), 0);

describe("bms-bank", () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it("gives three packs of different capacities one capacity-weighted SOC and their sums", async () => {
    await helper.load(OUR_NODES, flow());
    // Create the pool (and the simulated packs) with a first poll, then set their charge.
    await pollPack("p1");
    settle({ 1: 20, 2: 80, 4: 50 });
    const polled = [await pollPack("p1"), await pollPack("p2"), await pollPack("p4")];
    const packs = polled.map((p) => p.pack);
    const { bank: msg } = polled[2]!;
    const bank = msg.payload;

    assert.deepEqual(
      packs.map((m) => m.payload.nominalCapacity),
      [200, 100, 280],
    );
    assert.deepEqual(msg.bank, { complete: true });
    assert.equal(msg.topic, "bms/bank");
    assert.equal(bank.packsFresh, 3);
    assert.equal(bank.packsExpected, 3);
    assert.deepEqual(bank.missing, []);
    const residual = roundTo(
      sum(packs, (p) => p.residualCapacity),
      2,
    );
    assert.equal(bank.residualCapacity, residual);
    assert.equal(bank.nominalCapacity, 580);
    assert.equal(bank.stateOfCharge, Math.round((100 * residual) / 580));
    const meanOfPercentages = Math.round(sum(packs, (p) => p.stateOfCharge) / 3);
    assert.notEqual(bank.stateOfCharge, meanOfPercentages, "weighted by capacity, not a mean of percentages");
    assert.equal(bank.voltage, roundTo(sum(packs, (p) => p.voltage) / 3, 2));
    assert.equal(
      bank.current,
      roundTo(
        sum(packs, (p) => p.current),
        2,
      ),
    );
    assert.equal(
      bank.power,
      roundTo(
        sum(packs, (p) => p.power),
        2,
      ),
    );
    assert.equal(
      bank.energyStored,
      roundTo(
        sum(packs, (p) => p.energyStored),
        1,
      ),
    );
    assert.equal(bank.timeRemainingS, timeRemainingSeconds(bank.current, residual, 580));
    assert.ok(bank.timeRemainingS > 0, "discharging: seconds to empty");

    const lowest = Math.min(...packs.map((m) => m.payload.cellMin));
    assert.equal(bank.cellMin, lowest);
    assert.equal(bank.cellMinPack, packs.find((m) => m.payload.cellMin === lowest)!.bms.address);
    assert.equal(bank.cellMax, Math.max(...packs.map((m) => m.payload.cellMax)));
    assert.equal(bank.cellDelta, Math.max(...packs.map((m) => m.payload.cellDelta)));
    assert.equal(bank.cellSpread, roundTo(bank.cellMax - bank.cellMin, 3));
    const temperatures = packs.flatMap((m) => m.payload.temperatures as number[]);
    assert.equal(bank.temperatureMin, Math.min(...temperatures));
    assert.equal(bank.temperatureMax, Math.max(...temperatures));
    assert.deepEqual(
      bank.packs.map((p: Msg) => [p.address, p.stateOfCharge, p.fresh]),
      packs.map((m) => [m.bms.address, m.payload.stateOfCharge, true]),
    );
    assert.deepEqual(statusesOf("bank").at(-1), { fill: "green", shape: "dot", text: `${BANK}status.packs` });
  });

  it("leaves out a pack that stops reporting once maxAge has passed (fake clock), and counts it when it is back", async () => {
    const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ["Date"], now: Date.now() });
    try {
      await helper.load(OUR_NODES, flow());
      await pollPack("p1");
      settle({ 1: 40, 2: 60, 4: 70 });
      await pollPack("p1");
      await pollPack("p2");
      assert.equal((await pollPack("p4")).bank.payload.packsFresh, 3);

      clock.tick(60_000);
      const atMaxAge = (await pollPack("p1")).bank;
      assert.equal(atMaxAge.payload.packsFresh, 3, "exactly maxAge old still counts");
      clock.tick(1_000);
      const late = (await pollPack("p2")).bank;
      assert.deepEqual(late.payload.missing, [{ address: PACK[4], reason: "too old" }]);
      assert.equal(late.payload.packsFresh, 2);
      assert.equal(late.payload.nominalCapacity, 300, "200 + 100 Ah without the 280 Ah pack");
      assert.deepEqual(late.bank, { complete: false });
      const old = late.payload.packs.find((p: Msg) => p.address === PACK[4]);
      assert.equal(old.fresh, false);
      assert.ok(old.ageS > 60, `age ${old.ageS} s`);
      assert.equal(statusesOf("bank").at(-1)?.fill, "yellow");

      const back = (await pollPack("p4")).bank;
      assert.equal(back.payload.packsFresh, 3);
      assert.equal(back.payload.nominalCapacity, 580);
      assert.deepEqual(back.bank, { complete: true });
      assert.equal(statusesOf("bank").at(-1)?.fill, "green");
    } finally {
      clock.uninstall();
    }
  });

  it("does not sum a stale resend: the pack counts as missing until its next good reading", async () => {
    await helper.load(OUR_NODES, flow());
    await pollPack("p1");
    settle({ 1: 40, 2: 60, 4: 70 });
    await pollPack("p1");
    const good = await pollPack("p2");
    await pollPack("p4");

    node("p2").receive({ topic: "release", payload: 60 });
    await until(() => statusTexts("p2").at(-1) === `${STATUS}released`, "pack 2 released");
    const { pack, bank } = await pollPack("p2");
    assert.equal(pack.bms.stale, true, "bms-poll resent its last values");
    assert.deepEqual(pack.payload, good.pack.payload);
    assert.deepEqual(bank.payload.missing, [{ address: PACK[2], reason: "stale" }]);
    assert.equal(bank.payload.packsFresh, 2);
    assert.equal(bank.payload.nominalCapacity, 480, "200 + 280 Ah without the stale 100 Ah pack");
    assert.equal(bank.payload.packs.find((p: Msg) => p.address === PACK[2]).fresh, false);

    node("p2").receive({ topic: "reconnect" });
    const fresh = (await pollPack("p2")).bank;
    assert.deepEqual(fresh.payload.missing, []);
    assert.equal(fresh.payload.nominalCapacity, 580);
  });

  it("leaves a pack whose discharge MOSFET is off out of dischargeAvailable, but not out of chargeAvailable", async () => {
    await helper.load(OUR_NODES, flow());
    await pollPack("p1");
    settle({ 1: 40, 2: 60, 4: 70 });
    // The simulator's battery controls: software-lock pack 2's discharge MOSFET, as an 0xE1 write would.
    simulatorOf(BATTERIES).battery(PACK[2])!.setLockMask(2);
    const polled = [await pollPack("p1"), await pollPack("p2"), await pollPack("p4")];
    const [p1, p2, p4] = polled.map((p) => p.pack.payload);
    assert.deepEqual(p2.mos, { charge: true, discharge: false });
    const bank = polled[2]!.bank.payload;
    assert.equal(bank.dischargeAvailable, roundTo(p1.residualCapacity + p4.residualCapacity, 2));
    const room = (p: Msg) => p.nominalCapacity - p.residualCapacity;
    assert.equal(bank.chargeAvailable, roundTo(room(p1) + room(p2) + room(p4), 2));
    assert.equal(bank.residualCapacity, roundTo(p1.residualCapacity + p2.residualCapacity + p4.residualCapacity, 2));
    assert.ok(bank.protectionActive.some((p: Msg) => p.address === PACK[2] && p.flag === "mosSoftwareLock"));
    assert.deepEqual(bank.packs.find((p: Msg) => p.address === PACK[2]).mos, { charge: true, discharge: false });
  });

  it("ignores a battery that is not one of its packs, warning once per address", async () => {
    await helper.load(OUR_NODES, flow({ name: "House" }));
    const outputs: Msg[] = [];
    node("out").on("input", (msg: Msg) => outputs.push(msg));
    for (let i = 0; i < 2; i++) await exchange("p3", {}, "tap");
    const { bank } = await pollPack("p1");
    assert.deepEqual(outputs, [bank], "nothing sent for battery 3");
    assert.equal(bank.topic, "bms/House");
    assert.deepEqual(
      bank.payload.packs.map((p: Msg) => p.address),
      [PACK[1]],
    );
    assert.deepEqual(bank.payload.missing, [
      { address: PACK[2], reason: "never seen" },
      { address: PACK[4], reason: "never seen" },
    ]);
    const warnings = warningsOf("bank").filter((warning) => warning === `${BANK}warn.unknownPack`);
    assert.equal(warnings.length, 1);
  });

  it("refuses a message that is not bms-poll output with INVALID_INPUT, and it changes nothing", async () => {
    await helper.load(OUR_NODES, flow({ topic: "house/bank" }));
    assert.deepEqual(statusesOf("bank").at(-1), {
      fill: "yellow",
      shape: "ring",
      text: `${BANK}status.nonePresent`,
    });
    const noMeta = await exchange("bank", { payload: 42 }, "caught");
    assert.equal(noMeta.error.code, "INVALID_INPUT");
    assert.match(noMeta.error.message, /msg\.bms\.address/);
    const badPayload = await exchange("bank", { payload: { voltage: 13.2 }, bms: { address: PACK[1] } }, "caught");
    assert.equal(badPayload.error.code, "INVALID_INPUT");
    assert.match(badPayload.error.message, /current must be a number/);
    assert.equal(statusTexts("bank").at(-1), `${STATUS}invalidInput`);

    const { bank } = await pollPack("p2");
    assert.equal(bank.topic, "house/bank");
    assert.deepEqual(bank.payload.missing, [
      { address: PACK[1], reason: "never seen" },
      { address: PACK[4], reason: "never seen" },
    ]);
  });

  it("refuses invalid settings at deploy: a red badge, and every message fails with the problems", async () => {
    await helper.load(OUR_NODES, flow({ packs: [PACK[1], "nonsense", "aa-bb-cc-00-00-01"], maxAge: 0 }));
    assert.deepEqual(statusesOf("bank").at(-1), {
      fill: "red",
      shape: "ring",
      text: `${STATUS}invalidInput`,
    });
    const caught = await exchange("bank", { payload: {}, bms: { address: PACK[1] } }, "caught");
    assert.equal(caught.error.code, "INVALID_INPUT");
    assert.match(caught.error.message, /"nonsense" is not a Bluetooth address/);
    assert.match(caught.error.message, /listed twice/);
    assert.match(caught.error.message, /maxAge/);
  });

  it("holds no timer: closing it leaves nothing behind (fake clock)", async () => {
    const bankOnly: FlowNode[] = [
      tab,
      { id: "bank", type: "bms-bank", z: "f1", name: "", packs: BANK_PACKS, maxAge: 60, topic: "", wires: [["out"]] },
      { id: "out", type: "helper", z: "f1" },
    ];
    await helper.load(OUR_NODES, bankOnly);
    const clock = FakeTimers.withGlobal(globalThis).install({ now: Date.now() });
    try {
      // A real poll payload, decoded from a 0x03 frame: this suite has no adapter, so no timer of its own.
      const payload = buildPayload(decodeBasicInfo(parseFrame(basicInfoFrame())), [3.32, 3.33, 3.32, 3.33], null);
      node("bank").receive({ payload, bms: { address: PACK[1], name: null, stale: false } });
      node("bank").receive({ payload, bms: { address: PACK[3], name: null, stale: false } });
      // Only the sends' turns run: a timer the bank had started would still be pending and counted.
      await clock.tickAsync(0);
      assert.equal(clock.countTimers(), 0, "the bank started no timer");
      await helper.unload();
      assert.equal(clock.countTimers(), 0, "nothing left after close");
    } finally {
      clock.uninstall();
    }
  });
});
