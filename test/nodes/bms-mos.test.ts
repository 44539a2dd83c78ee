import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { inspect } from "../../src/pool/diagnostics";
import {
  adapterNode,
  BATTERY_1,
  BATTERY_2,
  ERRORS,
  exchange,
  type FlowNode,
  helper,
  nextMessage,
  nextMessages,
  node,
  OUR_NODES,
  STATUS,
  simAdapter,
  simulatorOf,
  statusTexts,
  tab,
  until,
  WARN,
  warningsOf,
} from "./flow-harness";

// Its own battery count, so the lock state written here never meets the poll suite's world.
const BATTERIES = 3;

function flow(allowWrites: boolean): FlowNode[] {
  return [
    tab,
    simAdapter("a1", BATTERIES),
    { id: "m1", type: "bms-mos", z: "f1", name: "", adapter: "a1", address: BATTERY_1, allowWrites, wires: [["out"]] },
    { id: "out", type: "helper", z: "f1" },
    { id: "c1", type: "catch", z: "f1", scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper", z: "f1" },
  ];
}

/**
 * Puts battery 1 back to both MOSFETs on with no current flowing, via a real command through the node. The current
 * is pinned at 0 A: the simulator's own load profile follows the time of day, which would make these tests depend
 * on when they run.
 */
async function reset(): Promise<void> {
  const battery = simulatorOf(BATTERIES).battery(BATTERY_1)!;
  battery.setCurrent(0);
  battery.soc = 60;
  await exchange("m1", { payload: "on" }, "out");
}

describe("bms-mos", () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it("refuses with WRITES_DISABLED and talks to no battery until switching is allowed", async () => {
    await helper.load(OUR_NODES, flow(false));
    for (const payload of [{ charge: false }, "off", "nonsense"]) {
      const caught = await exchange("m1", { payload }, "caught");
      assert.equal(caught.error.code, "WRITES_DISABLED");
    }
    assert.equal(statusTexts("m1").at(-1), `${STATUS}writesDisabled`);
  });

  it("switches charging off and on, confirmed by read-back", async () => {
    await helper.load(OUR_NODES, flow(true));
    await reset();
    const battery = simulatorOf(BATTERIES).battery(BATTERY_1)!;

    const off = await exchange("m1", { payload: { charge: false } }, "out");
    assert.deepEqual(off.payload, { charge: false, discharge: true });
    assert.deepEqual(off.bms.previous, { charge: true, discharge: true });
    assert.equal(off.bms.verified, true);
    assert.equal(off.bms.written, true);
    assert.equal(off.bms.address, BATTERY_1);
    assert.deepEqual(battery.mosLock, { charge: true, discharge: false }, "the BMS locks the charge port");
    assert.equal(statusTexts("m1").at(-1), "CHG off DSG on");

    const unchanged = await exchange("m1", { payload: { discharge: true } }, "out");
    assert.equal(unchanged.bms.written, false);
    assert.deepEqual(unchanged.payload, { charge: false, discharge: true });

    const on = await exchange("m1", { payload: true }, "out");
    assert.deepEqual(on.payload, { charge: true, discharge: true });
    assert.deepEqual(on.bms.previous, { charge: false, discharge: true });
    assert.deepEqual(battery.mosLock, { charge: false, discharge: false });
  });

  it("shows the MOSFET state from its first read on, not the link state: the link may close and come back", async () => {
    await helper.load(OUR_NODES, [
      ...flow(true),
      { id: "p1", type: "bms-poll", z: "f1", adapter: "a1", address: BATTERY_1, interval: 0, wires: [["polled"]] },
      { id: "polled", type: "helper", z: "f1" },
    ]);
    assert.equal(statusTexts("m1").at(-1), `${STATUS}closed`, "before its first read the badge follows the link");
    await reset();
    await exchange("m1", { payload: { charge: false } }, "out");
    const read = statusTexts("m1").length;
    assert.equal(statusTexts("m1").at(-1), "CHG off DSG on");

    // The link closes (a reconnect request), and a poll of the same battery opens a new one.
    node("m1").receive({ topic: "reconnect" });
    await until(() => inspect(adapterNode("a1").pool()).linkInfo(BATTERY_1).state === "closed", "closed link");
    await exchange("p1", {}, "polled");
    assert.deepEqual(new Set(statusTexts("m1").slice(read - 1)), new Set(["CHG off DSG on"]));
    assert.ok(statusTexts("p1").includes(`${STATUS}closed`), "the link did close meanwhile");
  });

  it("rejects invalid commands with INVALID_INPUT before anything reaches the BMS", async () => {
    await helper.load(OUR_NODES, flow(true));
    await reset();
    const sim = simulatorOf(BATTERIES);
    const requestsBefore = sim.stats().requests;
    const lockBefore = sim.battery(BATTERY_1)!.mosLock;
    const bad: unknown[] = ["ON", 1, null, {}, { charge: "false" }, { charge: true, extra: 1 }, [true]];
    for (const payload of bad) {
      const caught = await exchange("m1", { payload }, "caught");
      assert.equal(caught.error.code, "INVALID_INPUT", JSON.stringify(payload));
    }
    assert.equal(sim.stats().requests, requestsBefore, "not even a read was sent");
    assert.deepEqual(sim.battery(BATTERY_1)!.mosLock, lockBefore);
  });

  it("refuses a command whose msg.address names another battery: INVALID_INPUT, nothing sent to any battery", async () => {
    await helper.load(OUR_NODES, flow(true));
    await reset();
    const sim = simulatorOf(BATTERIES);
    const before = sim.stats();
    const locks = [BATTERY_1, BATTERY_2].map((address) => sim.battery(address)!.mosLock);
    for (const address of [BATTERY_2, "aa-bb-cc-00-00-02", "not an address", 42, { a: 1 }]) {
      const caught = await exchange("m1", { payload: "off", address }, "caught");
      assert.equal(caught.error.code, "INVALID_INPUT", JSON.stringify(address));
      assert.match(caught.error.message, /msg\.address/);
    }
    assert.equal(sim.stats().mosWrites, before.mosWrites, "no 0xE1 write reached any battery");
    assert.equal(sim.stats().requests, before.requests, "not even a read");
    assert.deepEqual(
      [BATTERY_1, BATTERY_2].map((address) => sim.battery(address)!.mosLock),
      locks,
    );
  });

  it("takes msg.address naming its own battery in another spelling", async () => {
    await helper.load(OUR_NODES, flow(true));
    await reset();
    const sim = simulatorOf(BATTERIES);
    const before = sim.stats().mosWrites;
    const spellings = ["aa:bb:cc:00:00:01", "AA-BB-CC-00-00-01", "aabbcc000001", " AA:BB:CC:00:00:01 ", ""];
    for (const [i, address] of spellings.entries()) {
      const payload = i % 2 === 0 ? "off" : "on";
      const out = await exchange("m1", { payload, address }, "out");
      assert.equal(out.bms.address, BATTERY_1);
      assert.equal(out.bms.written, true, address);
    }
    assert.equal(sim.stats().mosWrites, before + spellings.length);
    await exchange("m1", { payload: "on" }, "out");
  });

  it("is created with a red badge and refuses every command when its adapter is not a bms-adapter", async () => {
    await helper.load(
      OUR_NODES,
      flow(true).map((n) => (n.id === "m1" ? { ...n, adapter: "c1" } : n)),
    );
    assert.equal(statusTexts("m1").at(-1), `${STATUS}invalidInput`);
    const caught = await exchange("m1", { payload: "off" }, "caught");
    assert.equal(caught.error.code, "INVALID_INPUT");
    assert.equal(caught.error.message, `BmsError: ${ERRORS}notAdapter`);
  });

  it("quotes only the start of a huge msg.address in the error", async () => {
    await helper.load(OUR_NODES, flow(true));
    const huge = `AA:BB:CC:00:00:02${"x".repeat(10_000_000)}`;
    const caught = await exchange("m1", { payload: "off", address: huge }, "caught");
    assert.equal(caught.error.code, "INVALID_INPUT");
    assert.ok(caught.error.message.length < 300, `${caught.error.message.length} characters`);
    assert.match(caught.error.message, /"AA:BB:CC:00:00:02x+"… \(10000017 characters\)/);
  });

  it("reports MOS_NOT_CONFIRMED with the state read back when the BMS keeps a port off", async () => {
    await helper.load(OUR_NODES, flow(true));
    await reset();
    const battery = simulatorOf(BATTERIES).battery(BATTERY_1)!;
    // A full pack whose cell over-voltage protection has tripped: the BMS holds the charge FET off whatever the
    // software lock says.
    battery.soc = 100;
    battery.tripProtection("cellOvervoltage");
    await exchange("m1", { payload: { charge: false } }, "out");
    const caught = await exchange("m1", { payload: { charge: true } }, "caught");
    assert.equal(caught.error.code, "MOS_NOT_CONFIRMED");
    assert.equal(caught.bms.verified, false);
    assert.equal(caught.bms.state.charge, false);
    assert.equal(statusTexts("m1").at(-1), `${STATUS}notConfirmed`);
    battery.setCurrent(0);
    battery.soc = 60;
  });

  it("supersedes a queued command with a newer one, warning about the dropped msg", async () => {
    await helper.load(OUR_NODES, flow(true));
    await reset();
    const outputs = nextMessages("out", 2);
    node("m1").receive({ payload: { charge: false }, n: 1 });
    node("m1").receive({ payload: { discharge: false }, n: 2 });
    node("m1").receive({ payload: "on", n: 3 });
    const [first, last] = await outputs;
    assert.equal(first!.n, 1);
    assert.equal(last!.n, 3);
    assert.deepEqual(last!.payload, { charge: true, discharge: true });
    assert.ok(warningsOf("m1").some((warning) => warning === `${WARN}superseded`));
    // The superseded msg ended without output: the next output belongs to a new command.
    const next = nextMessage("out");
    node("m1").receive({ payload: "on", n: 4 });
    assert.equal((await next).n, 4);
  });
});
