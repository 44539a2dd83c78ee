import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { inspect } from "../../src/pool/diagnostics";
import { installVirtualClock, type VirtualClock } from "../support/virtual-clock";
import {
  adapterNode,
  BATTERY_1,
  type FlowNode,
  helper,
  type Msg,
  node,
  OUR_NODES,
  pollNode,
  simAdapter,
  simulatorOf,
  tab,
  WARN,
} from "./flow-harness";

// Issue 11 item 1: a MOSFET command must not outlive its bms-mos node. The scenarios of the issue, on the simulator
// with realistic BLE latency (a connect takes seconds) driven by a fake clock; what was written is counted at the
// simulated battery, not inferred from the absence of an output. A bms-poll that closes with polls in flight keeps
// the same rule for its outputs: a closed node sends nothing.
const BATTERIES = 3;
const REALISTIC = { simLatency: "realistic", connectTimeout: 15, commandTimeout: 3 };
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

function mosNode(allowWrites: boolean): FlowNode {
  return {
    id: "m1",
    type: "bms-mos",
    z: "f1",
    name: "",
    adapter: "a1",
    address: BATTERY_1,
    allowWrites,
    wires: [["out"]],
  };
}

function flow(extra: FlowNode[] = []): FlowNode[] {
  return [
    tab,
    simAdapter("a1", BATTERIES, REALISTIC),
    mosNode(true),
    ...extra,
    { id: "out", type: "helper", z: "f1" },
    { id: "c1", type: "catch", z: "f1", scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper", z: "f1" },
  ];
}

const POLL = pollNode({ wires: [["polled"]] });

describe("bms-mos and bms-poll closing with work in flight (realistic latency, fake clock)", () => {
  /** Node-RED delivers messages with setImmediate, which stays real; the radio's and the pool's timers are virtual. */
  let time: VirtualClock;
  const outputs: Msg[] = [];
  const caught: Msg[] = [];

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(() => {
    time = installVirtualClock({ realImmediate: true, now: Date.UTC(2025, 5, 1, 12) });
    outputs.length = 0;
    caught.length = 0;
  });
  afterEach(async () => {
    await time.run(helper.unload());
    time.uninstall();
  });

  /** Moves simulated time on, letting Node-RED's real setImmediate deliveries run between steps. */
  const advance = (ms: number, step?: number) => time.advance(ms, step);

  /**
   * Waits for a load or deploy in real time only, with the simulated clock standing still, so the radio is exactly
   * where the test left it when the nodes close.
   */
  function deployed<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const safety = realSetTimeout(() => reject(new Error("the deploy did not finish")), 30_000);
      promise.then(resolve, reject).finally(() => realClearTimeout(safety));
    });
  }

  async function load(nodes: FlowNode[]): Promise<void> {
    await deployed(helper.load(OUR_NODES, nodes));
    record();
  }

  /** The helper node instances that already have a recorder (the helper's nodes do not count their listeners). */
  const recorded = new WeakSet<object>();

  /** Attaches the recorders to the helper nodes' instances that have none yet, e.g. after a deploy replaced them. */
  function record(): void {
    for (const [id, into] of [
      ["out", outputs],
      ["caught", caught],
    ] as const) {
      const target = node(id);
      if (recorded.has(target)) continue;
      recorded.add(target);
      target.on("input", (msg: Msg) => into.push(msg));
    }
  }

  it("a modified-nodes deploy that unticks Allow switching cancels 'off' while connecting and the queued command", async () => {
    const original = flow();
    await load(original);
    const sim = simulatorOf(BATTERIES, 4, { latency: "realistic" });
    const before = sim.stats();
    node("m1").receive({ payload: "off", n: 1 });
    await advance(500);
    assert.match(adapterNode("a1").pool().linkState(BATTERY_1), /searching|connecting/, "the link is still coming up");
    node("m1").receive({ payload: { charge: false }, n: 2 });

    const redeployed = original.map((n) => (n.id === "m1" ? mosNode(false) : n));
    await deployed(helper.setFlows(redeployed, "nodes"));
    const writesAtClose = sim.stats().mosWrites;
    record();
    await advance(60_000, 50);

    assert.equal(writesAtClose, before.mosWrites);
    assert.equal(sim.stats().mosWrites, before.mosWrites, "no 0xE1 write reached the battery, then or later");
    assert.deepEqual(sim.battery(BATTERY_1)!.mosLock, { charge: false, discharge: false }, "both FETs stay on");
    assert.deepEqual(
      caught.map((msg) => [msg.n, msg.error.code]).sort(),
      [
        [1, "NODE_CLOSED"],
        [2, "NODE_CLOSED"],
      ],
      "each cancelled message ended with a typed error",
    );
    assert.equal(outputs.length, 0, "the closed node sent nothing");
    const pool = adapterNode("a1").pool();
    assert.equal(inspect(pool).diagnostics().leasesHeld, 0);
    assert.equal(inspect(pool).diagnostics().slotWaiters, 0);
  });

  it("deleting the bms-mos node while a bms-poll keeps the adapter alive writes nothing", async () => {
    const original = flow([POLL, { id: "polled", type: "helper", z: "f1" }]);
    await load(original);
    const sim = simulatorOf(BATTERIES, 4, { latency: "realistic" });
    const before = sim.stats();
    node("m1").receive({ payload: "off", n: 1 });
    await advance(500);
    node("m1").receive({ payload: { discharge: false }, n: 2 });

    await deployed(
      helper.setFlows(
        original.filter((n) => n.id !== "m1"),
        "nodes",
      ),
    );
    record();
    const polled: Msg[] = [];
    node("polled").on("input", (msg: Msg) => polled.push(msg));
    node("p1").receive({});
    await advance(60_000, 50);

    assert.equal(polled.length, 1, "the poll node still reads the battery over the same adapter");
    assert.deepEqual(polled[0]!.payload.mos, { charge: true, discharge: true });
    assert.equal(sim.stats().mosWrites, before.mosWrites, "no 0xE1 write reached the battery");
    assert.deepEqual(sim.battery(BATTERY_1)!.mosLock, { charge: false, discharge: false });
    assert.deepEqual(caught.map((msg) => [msg.n, msg.error.code]).sort(), [
      [1, "NODE_CLOSED"],
      [2, "NODE_CLOSED"],
    ]);
    assert.equal(outputs.length, 0);
  });

  it("a command that finds nothing to switch while the node closes ends quietly: no write, no output, no warning", async () => {
    const original = flow();
    await load(original);
    const sim = simulatorOf(BATTERIES, 4, { latency: "realistic" });
    node("m1").receive({ payload: "on", n: 0 });
    await advance(10_000, 50);
    const requests = sim.stats().requests;
    node("m1").receive({ payload: "on", n: 1 });
    for (let i = 0; i < 2_000 && sim.stats().requests === requests; i++) await advance(1, 1);
    assert.notEqual(sim.stats().requests, requests, "the read is on the wire");
    const oldNode = node("m1");
    await deployed(
      helper.setFlows(
        original.map((n) => (n.id === "m1" ? mosNode(false) : n)),
        "nodes",
      ),
    );
    record();
    await advance(10_000, 50);
    assert.equal(sim.stats().mosWrites, 0);
    assert.equal(outputs.length, 1, "only the first command's output");
    assert.equal(caught.length, 0);
    assert.ok(!oldNode.warn.args.some((args) => args[0] === `${WARN}finishedAfterClose`));
  });

  it("a write already on the wire when the node closes is read back, nothing more is written, nothing is sent", async () => {
    const original = flow();
    await load(original);
    const sim = simulatorOf(BATTERIES, 4, { latency: "realistic" });
    // Bring the link up with a command that changes nothing (both FETs are on).
    node("m1").receive({ payload: "on", n: 0 });
    await advance(10_000, 50);
    assert.equal(outputs.length, 1);
    assert.equal(outputs[0]!.bms.written, false);

    const mosWrites = sim.stats().mosWrites;
    node("m1").receive({ payload: "off", n: 1 });
    for (let i = 0; i < 2_000 && sim.stats().mosWrites === mosWrites; i++) await advance(1, 1);
    assert.equal(sim.stats().mosWrites, mosWrites + 1, "the 0xE1 write is on the wire");
    const oldNode = node("m1");
    await deployed(
      helper.setFlows(
        original.map((n) => (n.id === "m1" ? mosNode(false) : n)),
        "nodes",
      ),
    );
    const requestsAtClose = sim.stats().requests;
    record();
    await advance(10_000, 50);

    assert.equal(sim.stats().mosWrites, mosWrites + 1, "the write was not repeated");
    assert.equal(
      sim.stats().requests - requestsAtClose,
      1,
      "only the read-back went out after close, no exit-factory write",
    );
    assert.deepEqual(sim.battery(BATTERY_1)!.mosLock, { charge: true, discharge: true }, "the BMS did switch off");
    assert.equal(outputs.length, 1, "the closed node sent nothing");
    assert.equal(caught.length, 0);
    assert.ok(oldNode.warn.args.some((args) => args[0] === `${WARN}finishedAfterClose`));
  });
  it("a bms-poll deleted while its poll connects sends nothing, and the poll waiting behind it never starts", async () => {
    // The bms-mos node stays deployed, so the adapter and its pool outlive the poll node.
    const original = flow([POLL, { id: "polled", type: "helper", z: "f1" }]);
    await load(original);
    const sim = simulatorOf(BATTERIES, 4, { latency: "realistic" });
    const polled: Msg[] = [];
    node("polled").on("input", (msg: Msg) => polled.push(msg));
    node("p1").receive({ n: 1 });
    await advance(500);
    assert.match(adapterNode("a1").pool().linkState(BATTERY_1), /searching|connecting/, "the link is still coming up");
    node("p1").receive({ n: 2 });

    await deployed(
      helper.setFlows(
        original.filter((n) => n.id !== "p1"),
        "nodes",
      ),
    );
    record();
    await advance(60_000, 50);

    assert.equal(polled.length, 0, "the closed node sent nothing");
    assert.deepEqual(
      caught.map((msg) => [msg.n, msg.error.code]),
      [[2, "NODE_CLOSED"]],
      "the poll that had not started ended with a typed error; the one in flight ended quietly",
    );
    assert.equal(sim.stats().requests, 3, "one poll went out (0x03, 0x04 and the link's one 0x05), not two");
  });
});
