import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import FakeTimers from "@sinonjs/fake-timers";
import {
  adapterNode,
  BATTERY_1,
  BATTERY_2,
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
} from "./flow-harness";

const BATTERIES = 2;

function flow(poll: Record<string, unknown> = {}, adapter: Record<string, unknown> = {}): FlowNode[] {
  return [
    tab,
    simAdapter("a1", BATTERIES, adapter),
    {
      id: "p1",
      type: "bms-poll",
      z: "f1",
      name: "",
      adapter: "a1",
      address: BATTERY_1,
      topic: "",
      interval: 0,
      onFailure: "error",
      staleLimit: 3,
      wires: [["out"]],
      ...poll,
    },
    { id: "out", type: "helper", z: "f1" },
    { id: "c1", type: "catch", z: "f1", scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper", z: "f1" },
  ];
}

describe("bms-poll", () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it("sends the decoded payload in SI units with msg.topic and msg.bms on the same msg", async () => {
    await helper.load(OUR_NODES, flow());
    const first = await exchange("p1", { keep: "me" }, "out");
    assert.equal(first.keep, "me");
    const p = first.payload;
    assert.equal(p.cellCount, 4);
    assert.equal(p.cellVoltages.length, 4);
    for (const v of p.cellVoltages) assert.ok(v > 2 && v < 4, `cell ${v} V`);
    assert.ok(Math.abs(p.voltage - p.cellVoltages.reduce((a: number, b: number) => a + b, 0)) < 0.1);
    assert.ok(p.stateOfCharge >= 0 && p.stateOfCharge <= 100);
    assert.ok(Math.abs(p.power - p.voltage * p.current) < 0.5);
    assert.equal(p.cellMin, Math.min(...p.cellVoltages));
    assert.equal(typeof p.mos.charge, "boolean");
    assert.equal(typeof p.protection.shortCircuit, "boolean");
    assert.ok(Array.isArray(p.protectionActive) && Array.isArray(p.temperatures) && Array.isArray(p.balancing));
    assert.match(first.topic, /^bms\/.+/);
    assert.equal(first.topic, `bms/${first.bms.name ?? BATTERY_1}`);
    assert.equal(first.bms.address, BATTERY_1);
    assert.equal(first.bms.connection, "new");
    assert.equal(first.bms.stale, false);
    assert.equal(first.bms.consecutiveFailures, 0);
    assert.equal(new Date(first.bms.polledAt).toISOString(), first.bms.polledAt);
    assert.ok(first.bms.latencyMs >= first.bms.connectMs);

    const second = await exchange("p1", {}, "out");
    assert.equal(second.bms.connection, "reused");
    assert.equal(second.bms.connectMs, 0);
    assert.match(statusTexts("p1").at(-1)!, /^\d+\.\d\d V \d+ %$/);
  });

  it("uses the node's topic, and msg.address only when the node's address is blank", async () => {
    await helper.load(OUR_NODES, flow({ address: "", topic: "house/battery" }));
    const polled = await exchange("p1", { address: "aa:bb:cc:00:00:02" }, "out");
    assert.equal(polled.topic, "house/battery");
    assert.equal(polled.bms.address, BATTERY_2);
  });

  it("warns and keeps its own address when msg.address tries to override it", async () => {
    await helper.load(OUR_NODES, flow());
    const polled = await exchange("p1", { address: BATTERY_2 }, "out");
    assert.equal(polled.bms.address, BATTERY_1);
    assert.ok(node("p1").warn.args.some((args) => args[0] === `${WARN}nooverride`));
  });

  it("coalesces a burst of triggers into one poll in flight plus one pending, answering every msg", async () => {
    await helper.load(OUR_NODES, flow());
    await exchange("p1", {}, "out");
    const sim = simulatorOf(BATTERIES);
    const before1 = sim.stats().requests;
    await exchange("p1", {}, "out");
    const perPoll = sim.stats().requests - before1;
    assert.ok(perPoll >= 2, "a poll reads 0x03 and 0x04");

    const before5 = sim.stats().requests;
    const outputs = nextMessages("out", 5);
    for (let i = 0; i < 5; i++) node("p1").receive({ n: i });
    const msgs = await outputs;
    assert.deepEqual(msgs.map((m) => m.n).sort(), [0, 1, 2, 3, 4]);
    assert.equal(sim.stats().requests - before5, 2 * perPoll);
    // The four that joined the pending poll share its result, each in its own copy.
    const joined = msgs.filter((m) => m.n !== 0);
    for (const m of joined) assert.deepEqual(m.bms, joined[0]!.bms);
    assert.notEqual(joined[0]!.payload, joined[1]!.payload);
  });

  it("with simPassword the simulated modules pass nothing to the BMS until the FF AA handshake", async () => {
    await helper.load(OUR_NODES, flow({}, { simPassword: "123456" }));
    const caught = await exchange("p1", {}, "caught");
    // The pool does not run the handshake yet (issue 14, second half), so the silent module times the poll out.
    assert.equal(caught.error.code, "RESPONSE_TIMEOUT");
    const sim = simulatorOf(BATTERIES, 4, "123456");
    assert.equal(sim.battery(BATTERY_1)?.modulePassword, "123456");
    assert.ok(sim.stats().notRelayed >= 2, "the request and its retry reached the module and stopped there");
    assert.equal(sim.stats().replies, 0);
  });

  it("reports INVALID_INPUT to Catch with msg.error.code when there is no address", async () => {
    await helper.load(OUR_NODES, flow({ address: "" }));
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "INVALID_INPUT");
    assert.equal(caught.error.source.id, "p1");
  });

  it("reports INVALID_INPUT when the adapter settings are invalid, and creates no pool", async () => {
    await helper.load(OUR_NODES, flow({}, { maxLinks: 0 }));
    assert.equal(adapterNode("a1").settings, null);
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "INVALID_INPUT");
    assert.match(caught.error.message, /maxLinks/);
    assert.equal(statusTexts("p1").at(-1), `${STATUS}invalidInput`);
  });

  it("reports NOT_FOUND for a battery that does not advertise", async () => {
    await helper.load(OUR_NODES, flow({ address: "AA:BB:CC:00:00:09" }));
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "NOT_FOUND");
    assert.equal(caught.bms.address, "AA:BB:CC:00:00:09");
    assert.equal(caught.bms.consecutiveFailures, 1);
  });

  it("releases on topic release: polls fail fast with RELEASED and the badge shows the hold", async () => {
    await helper.load(OUR_NODES, flow());
    await exchange("p1", {}, "out");
    node("p1").receive({ topic: "release", payload: 120 });
    await until(() => statusTexts("p1").at(-1) === `${STATUS}released`, "released badge");
    assert.deepEqual(node("p1").status.args.at(-1)![0], { fill: "blue", shape: "ring", text: `${STATUS}released` });
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "RELEASED");
    assert.equal(statusTexts("p1").at(-1), `${STATUS}released`, "a RELEASED poll keeps the blue badge");

    node("p1").receive({ topic: "reconnect" });
    const polled = await exchange("p1", {}, "out");
    assert.equal(polled.bms.connection, "new");
  });

  it('with onFailure "last" resends the last good payload marked stale up to staleLimit, then errors', async () => {
    await helper.load(OUR_NODES, flow({ onFailure: "last", staleLimit: 2 }));
    const good = await exchange("p1", {}, "out");
    node("p1").receive({ topic: "release", payload: 60 });
    await until(() => statusTexts("p1").at(-1) === `${STATUS}released`, "released");
    for (const failures of [1, 2]) {
      const stale = await exchange("p1", {}, "out");
      assert.deepEqual(stale.payload, good.payload);
      assert.equal(stale.bms.stale, true);
      assert.equal(stale.bms.consecutiveFailures, failures);
      assert.ok(stale.bms.ageMs >= 0);
      assert.equal(stale.bms.error.code, "RELEASED");
      assert.equal(stale.bms.polledAt, good.bms.polledAt);
      assert.deepEqual(
        node("p1").status.args.at(-1)![0],
        { fill: "blue", shape: "ring", text: `${STATUS}released` },
        "a stale resend during a release keeps the blue badge",
      );
    }
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "RELEASED");
    assert.equal(caught.bms.consecutiveFailures, 3);
  });

  it("restarts the failure count after a good poll, so the stale fallback works again up to staleLimit", async () => {
    await helper.load(OUR_NODES, flow({ onFailure: "last", staleLimit: 1 }));
    const release = async () => {
      node("p1").receive({ topic: "release", payload: 60 });
      await until(() => statusTexts("p1").at(-1) === `${STATUS}released`, "released");
    };
    const good = await exchange("p1", {}, "out");
    await release();
    const firstStale = await exchange("p1", {}, "out");
    assert.equal(firstStale.bms.stale, true);
    assert.equal(firstStale.bms.consecutiveFailures, 1);
    node("p1").receive({ topic: "reconnect" });
    await until(() => statusTexts("p1").at(-1) === `${STATUS}closed`, "reconnect lifted the hold");
    const again = await exchange("p1", {}, "out");
    assert.equal(again.bms.stale, false);
    assert.equal(again.bms.consecutiveFailures, 0);
    await release();
    const secondStale = await exchange("p1", {}, "out");
    assert.equal(secondStale.bms.stale, true, "one failure after a good poll is within staleLimit 1");
    assert.equal(secondStale.bms.consecutiveFailures, 1);
    assert.notEqual(secondStale.bms.polledAt, good.bms.polledAt, "the stale payload is the latest good one");
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "RELEASED");
    assert.equal(caught.bms.consecutiveFailures, 2);
  });

  it("shows the link on the badge: connect, values, then closed by the idle timeout", async () => {
    await helper.load(OUR_NODES, flow({}, { idleTimeout: 1, sweepInterval: 1 }));
    assert.equal(statusTexts("p1").at(-1), `${STATUS}closed`);
    const polled = await exchange("p1", {}, "out");
    await until(() => statusTexts("p1").at(-1) === `${STATUS}closed`, "closed by the sweeper after the idle timeout");
    const texts = statusTexts("p1");
    const values = `${polled.payload.voltage.toFixed(2)} V ${Math.round(polled.payload.stateOfCharge)} %`;
    const order = [`${STATUS}connecting`, `${STATUS}connected`, values, `${STATUS}closed`];
    let at = 0;
    for (const text of order) {
      const found = texts.indexOf(text, at);
      assert.ok(found >= at, `badge "${text}" after position ${at} in ${JSON.stringify(texts)}`);
      at = found + 1;
    }
  });

  it("shows a dropped link, and a red dot while the adapter is off (ADAPTER_OFF)", async () => {
    await helper.load(OUR_NODES, flow());
    await exchange("p1", {}, "out");
    const sim = simulatorOf(BATTERIES);
    sim.dropLink(BATTERY_1);
    await until(() => /closed|linkLost/.test(statusTexts("p1").at(-1)!), "closed badge after the drop");
    sim.powerOff();
    try {
      await until(() => statusTexts("p1").at(-1) === `${STATUS}adapterOff`, "adapter off badge");
      assert.deepEqual(node("p1").status.args.at(-1)![0], { fill: "red", shape: "dot", text: `${STATUS}adapterOff` });
      const caught = await exchange("p1", {}, "caught");
      assert.equal(caught.error.code, "ADAPTER_OFF");
    } finally {
      sim.powerOn();
    }
    await until(() => statusTexts("p1").at(-1) === `${STATUS}closed`, "grey closed badge after power on");
    const polled = await exchange("p1", {}, "out");
    assert.equal(polled.bms.connection, "new");
  });

  it("reports ADAPTER_UNAVAILABLE with the fix when the HCI adapter cannot be used", async () => {
    const hci: FlowNode = {
      id: "a1",
      type: "bms-adapter",
      name: "hci",
      transport: "hci",
      hciDevice: 7,
      connectTimeout: 2,
    };
    await helper.load(OUR_NODES, [...flow().filter((n) => n.id !== "a1"), hci]);
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "ADAPTER_UNAVAILABLE");
    await until(() => node("p1").status.args.some((a) => (a[0] as { fill?: string }).fill === "red"), "red badge");
  });

  it("closes its pool on unload, leaving no pool listener, link or timer", async () => {
    await helper.load(OUR_NODES, flow());
    await exchange("p1", {}, "out");
    const pool = adapterNode("a1").pool();
    assert.ok(pool.diagnostics().poolListeners > 0);
    await helper.unload();
    const after = pool.diagnostics();
    assert.equal(after.closed, true);
    assert.equal(after.poolListeners, 0);
    assert.equal(after.openLinks, 0);
    assert.equal(after.timers, 0);
    assert.equal(after.centralOpenLinks, 0);
  });

  it("keeps the pool and its links over a partial deploy, and closes them on a full one", async () => {
    const original = flow();
    await helper.load(OUR_NODES, original);
    await exchange("p1", {}, "out");
    const pool = adapterNode("a1").pool();
    const changed = original.map((n) => (n.id === "p1" ? { ...n, topic: "changed" } : n));
    await helper.setFlows(changed, "nodes");
    assert.equal(adapterNode("a1").pool(), pool);
    const reused = await exchange("p1", {}, "out");
    assert.equal(reused.topic, "changed");
    assert.equal(reused.bms.connection, "reused");

    await helper.setFlows(changed, "full");
    assert.equal(pool.diagnostics().closed, true);
    assert.notEqual(adapterNode("a1").pool(), pool);
    const fresh = await exchange("p1", {}, "out");
    assert.equal(fresh.bms.connection, "new");
  });

  it("closes the pool when its last user is deleted, even though the adapter stays", async () => {
    const original = flow();
    await helper.load(OUR_NODES, original);
    await exchange("p1", {}, "out");
    const pool = adapterNode("a1").pool();
    await helper.setFlows(
      original.filter((n) => n.id !== "p1"),
      "nodes",
    );
    assert.equal(pool.diagnostics().closed, true);
    assert.equal(pool.diagnostics().poolListeners, 0);
  });

  it("polls right after deploy, then on its interval through the same path, and clears it on close", async () => {
    const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ["setInterval", "clearInterval"] });
    try {
      await helper.load(OUR_NODES, flow({ interval: 10 }));
      // The interval is on the fake clock and has not been advanced: this output is the poll at deploy.
      const first = await nextMessage("out");
      assert.equal(first.bms.connection, "new");
      const second = nextMessage("out");
      clock.tick(10_000);
      assert.equal((await second).bms.connection, "reused");
      await helper.unload();
      assert.equal(clock.countTimers(), 0, "no interval left after close");
    } finally {
      clock.uninstall();
    }
  });

  it("refuses an interval beyond what a timer can hold instead of polling every millisecond (fake clock)", async () => {
    const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ["setInterval", "clearInterval"] });
    try {
      // 30 days: past Node's 2^31-1 ms timer limit, where setInterval would fire after 1 ms instead.
      await helper.load(OUR_NODES, flow({ interval: 30 * 86_400 }));
      assert.equal(clock.countTimers(), 0, "no interval started");
      assert.deepEqual(node("p1").status.args.at(-1)![0], {
        fill: "red",
        shape: "ring",
        text: `${STATUS}invalidInput`,
      });
      const polled = await exchange("p1", {}, "out");
      assert.equal(polled.bms.address, BATTERY_1, "input still polls");
    } finally {
      clock.uninstall();
    }
  });

  it("reports interval poll failures to Catch with msg.error.code (fake clock)", async () => {
    const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ["setInterval", "clearInterval"] });
    try {
      await helper.load(OUR_NODES, flow({ interval: 5 }));
      node("p1").receive({ topic: "release", payload: 60 });
      await until(() => statusTexts("p1").at(-1) === `${STATUS}released`, "released");
      const caught = nextMessage("caught");
      clock.tick(5_000);
      const msg = await caught;
      assert.equal(msg.error.code, "RELEASED");
      assert.equal(msg.error.source.id, "p1");
      assert.equal(msg.bms.address, BATTERY_1);
      await helper.unload();
    } finally {
      clock.uninstall();
    }
  });

  it("fails a poll still connecting with POOL_CLOSED when the adapter is redeployed", async () => {
    const original = flow({}, { simLatency: "realistic" });
    await helper.load(OUR_NODES, original);
    const caught = nextMessage("caught");
    node("p1").receive({});
    const changed = original.map((n) => (n.id === "a1" ? { ...n, idleTimeout: 30 } : n));
    await helper.setFlows(changed, "nodes");
    const msg = await caught;
    assert.equal(msg.error.code, "POOL_CLOSED");
  });
});
