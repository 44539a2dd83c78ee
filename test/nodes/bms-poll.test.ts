import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import FakeTimers from "@sinonjs/fake-timers";
import { inspect } from "../../src/pool/diagnostics";
import { installVirtualClock } from "../support/virtual-clock";
import {
  adapterNode,
  BATTERY_1,
  BATTERY_2,
  ERRORS,
  exchange,
  type FlowNode,
  helper,
  type Msg,
  nextMessage,
  nextMessages,
  node,
  OUR_NODES,
  pollNode,
  STATUS,
  simAdapter,
  simulatorOf,
  statusesOf,
  statusTexts,
  tab,
  until,
  WARN,
  warningsOf,
} from "./flow-harness";

const BATTERIES = 2;
const MODULE_PASSWORD = "Zq7#x!";

/** Everything the runtime logged since the flow was loaded, at every level (the helper's spy sees each message). */
function loggedText(): string {
  return JSON.stringify(helper.log().args.map(([event]) => (event as { msg?: unknown }).msg));
}

function flow(poll: Record<string, unknown> = {}, adapter: Record<string, unknown> = {}): FlowNode[] {
  return [
    tab,
    simAdapter("a1", BATTERIES, adapter),
    pollNode(poll),
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
    // The node has no name and no topic: the topic names the battery by its address, not by its Bluetooth name.
    assert.equal(first.bms.name, "xiaoxiang BMS");
    assert.equal(first.topic, `bms/${BATTERY_1}`);
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

  it("defaults msg.topic to bms/<node name>, then bms/<address>: many packs share one Bluetooth name", async () => {
    await helper.load(OUR_NODES, flow({ name: "House bank 1" }));
    assert.equal((await exchange("p1", {}, "out")).topic, "bms/House bank 1");
    await helper.unload();
    await helper.load(OUR_NODES, flow({ address: "" }));
    const polled = await exchange("p1", { address: "aa-bb-cc-00-00-02" }, "out");
    assert.equal(polled.topic, `bms/${BATTERY_2}`);
  });

  it("warns and keeps its own address when msg.address tries to override it", async () => {
    await helper.load(OUR_NODES, flow());
    const polled = await exchange("p1", { address: BATTERY_2 }, "out");
    assert.equal(polled.bms.address, BATTERY_1);
    assert.ok(warningsOf("p1").some((warning) => warning === `${WARN}nooverride`));
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

  it("with simPassword and no module password set, a poll ends in PASSWORD_REQUIRED saying where to set it", async () => {
    // The reply timeouts run on the virtual clock; Node-RED's deliveries (setImmediate) stay real.
    const time = installVirtualClock({ realImmediate: true });
    let caught: Msg;
    try {
      await helper.load(OUR_NODES, flow({}, { simPassword: "123456" }));
      caught = await time.run(exchange("p1", {}, "caught"), 60_000);
    } finally {
      time.uninstall();
    }
    assert.equal(caught.error.code, "PASSWORD_REQUIRED");
    assert.match(caught.error.message, /Module password field/);
    assert.equal(statusTexts("p1").at(-1), `${STATUS}passwordRequired`);
    const sim = simulatorOf(BATTERIES, 4, { password: "123456" });
    assert.equal(sim.battery(BATTERY_1)?.modulePassword, "123456");
    const stats = sim.stats();
    assert.equal(stats.notRelayed, 2, "the request and its retry reached the module and stopped there");
    assert.equal(stats.authFrames, 1, "then the app key, once");
    assert.equal(stats.replies, 1, "answered: a password is needed");
  });

  it("with the module password set on the adapter (a credential), a poll gets data from password-protected modules", async () => {
    await helper.load(OUR_NODES, flow({}, { simPassword: MODULE_PASSWORD }), { a1: { password: MODULE_PASSWORD } });
    const polled = await exchange("p1", {}, "out");
    assert.equal(polled.payload.cellCount, 4);
    const stats = simulatorOf(BATTERIES, 4, { password: MODULE_PASSWORD }).stats();
    assert.equal(stats.authFrames, 5, "the whole handshake");
    assert.equal(stats.notRelayed, 0, "before the first request");
    assert.match(loggedText(), /pool opened \(simulator, a module password for every battery\)/);
    assert.ok(!loggedText().includes(MODULE_PASSWORD), "no log line holds the credential");
  });

  it("a wrong module password ends the poll in PASSWORD_REJECTED, on the badge and to Catch, without quoting it", async () => {
    await helper.load(OUR_NODES, flow({}, { simPassword: MODULE_PASSWORD }), { a1: { password: "Wr0ng!" } });
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "PASSWORD_REJECTED");
    assert.equal(caught.bms.address, BATTERY_1);
    assert.ok(statusTexts("p1").includes(`${STATUS}passwordRejected`));
    assert.ok(!JSON.stringify(caught.error).includes("Wr0ng!"));
    assert.ok(!loggedText().includes("Wr0ng!"));
  });

  it("a malformed module password credential is INVALID_INPUT naming the entry, never the password, and opens no pool", async () => {
    await helper.load(OUR_NODES, flow(), { a1: { password: "aa:bb:cc:00:00:01=s3cr3tX" } });
    assert.equal(adapterNode("a1").settings, null);
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "INVALID_INPUT");
    assert.match(caught.error.message, /password entry 1 \(AA:BB:CC:00:00:01\): the password must be exactly 6/);
    assert.equal(statusTexts("p1").at(-1), `${STATUS}invalidInput`);
    assert.ok(!JSON.stringify(caught.error).includes("s3cr3t"));
    assert.ok(!loggedText().includes("s3cr3t"));
  });

  it("reports INVALID_INPUT to Catch with msg.error.code when there is no address", async () => {
    await helper.load(OUR_NODES, flow({ address: "" }));
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "INVALID_INPUT");
    assert.equal(caught.error.source.id, "p1");
  });

  it("quotes only the start of a huge msg.address in the error it reports", async () => {
    await helper.load(OUR_NODES, flow({ address: "" }));
    const caught = await exchange("p1", { address: "A".repeat(10_000_000) }, "caught");
    assert.equal(caught.error.code, "INVALID_INPUT");
    assert.ok(caught.error.message.length < 300, `${caught.error.message.length} characters`);
    assert.match(caught.error.message, /: msg\.address "A{40}"… \(10000000 characters\) is not a Bluetooth address/);
  });

  it("reports INVALID_INPUT naming the field when a hand-edited flow gives the node an address that is no string", async () => {
    for (const address of [12345, ["AA:BB:CC:00:00:01"], { mac: "AA:BB:CC:00:00:01" }]) {
      await helper.load(OUR_NODES, flow({ address }));
      assert.equal(statusTexts("p1").at(-1), `${STATUS}invalidInput`);
      const caught = await exchange("p1", {}, "caught");
      assert.equal(caught.error.code, "INVALID_INPUT", JSON.stringify(address));
      assert.match(caught.error.message, /: the node's address must be a string like AA:BB:CC:00:00:01/);
      await helper.unload();
    }
  });

  it("is created with a red badge and answers INVALID_INPUT when its adapter is not a bms-adapter", async () => {
    // A hand-edited flow whose adapter id names some other node (here the helper node).
    for (const adapter of ["out", "c1"]) {
      await helper.load(OUR_NODES, flow({ adapter }));
      assert.deepEqual(statusesOf("p1").at(-1), {
        fill: "red",
        shape: "ring",
        text: `${STATUS}invalidInput`,
      });
      const caught = await exchange("p1", {}, "caught");
      assert.equal(caught.error.code, "INVALID_INPUT");
      assert.equal(caught.error.message, `BmsError: ${ERRORS}notAdapter`);
      await helper.unload();
    }
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
    // The scan's timeout runs on the virtual clock; Node-RED's deliveries (setImmediate) stay real.
    const time = installVirtualClock({ realImmediate: true });
    let caught: Msg;
    try {
      await helper.load(OUR_NODES, flow({ address: "AA:BB:CC:00:00:09" }));
      caught = await time.run(exchange("p1", {}, "caught"), 60_000);
    } finally {
      time.uninstall();
    }
    assert.equal(caught.error.code, "NOT_FOUND");
    assert.equal(caught.bms.address, "AA:BB:CC:00:00:09");
    assert.equal(caught.bms.consecutiveFailures, 1);
  });

  it("releases on topic release: polls fail fast with RELEASED and the badge shows the hold", async () => {
    await helper.load(OUR_NODES, flow());
    await exchange("p1", {}, "out");
    node("p1").receive({ topic: "release", payload: 120 });
    await until(() => statusTexts("p1").at(-1) === `${STATUS}released`, "released badge");
    assert.deepEqual(statusesOf("p1").at(-1), { fill: "blue", shape: "ring", text: `${STATUS}released` });
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "RELEASED");
    assert.equal(statusTexts("p1").at(-1), `${STATUS}released`, "a RELEASED poll keeps the blue badge");

    node("p1").receive({ topic: "reconnect" });
    const polled = await exchange("p1", {}, "out");
    assert.equal(polled.bms.connection, "new");
  });

  it("refuses a release whose payload is no number (false, an object) and keeps polling the battery", async () => {
    await helper.load(OUR_NODES, flow());
    await exchange("p1", {}, "out");
    for (const payload of [false, { seconds: 60 }, "1e3"]) {
      const caught = await exchange("p1", { topic: "release", payload }, "caught");
      assert.equal(caught.error.code, "INVALID_INPUT", JSON.stringify(payload));
    }
    const polled = await exchange("p1", {}, "out");
    assert.equal(polled.bms.connection, "reused", "the battery was never released");
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
        statusesOf("p1").at(-1),
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
    assert.equal(firstStale.bms.polledAt, good.bms.polledAt, "the stale payload is the good one before it");
    node("p1").receive({ topic: "reconnect" });
    await until(() => statusTexts("p1").at(-1) === `${STATUS}closed`, "reconnect lifted the hold");
    const again = await exchange("p1", {}, "out");
    assert.equal(again.bms.stale, false);
    assert.equal(again.bms.consecutiveFailures, 0);
    await release();
    const secondStale = await exchange("p1", {}, "out");
    assert.equal(secondStale.bms.stale, true, "one failure after a good poll is within staleLimit 1");
    assert.equal(secondStale.bms.consecutiveFailures, 1);
    assert.equal(secondStale.bms.polledAt, again.bms.polledAt, "the stale payload is the latest good one");
    const caught = await exchange("p1", {}, "caught");
    assert.equal(caught.error.code, "RELEASED");
    assert.equal(caught.bms.consecutiveFailures, 2);
  });

  it("reports a hand-edited onFailure or staleLimit that breaks its rule as INVALID_INPUT naming the field, and goes on with the default", async () => {
    for (const [field, value] of [
      ["onFailure", "retry"],
      ["onFailure", 1],
      ["staleLimit", "abc"],
    ] as const) {
      await helper.load(OUR_NODES, flow({ [field]: value }));
      assert.deepEqual(statusesOf("p1").at(-1), { fill: "red", shape: "ring", text: `${STATUS}invalidInput` });
      const logged = helper.log().args.map(([event]) => (event as { msg?: unknown }).msg);
      const reported = logged.filter((entry): entry is Error => entry instanceof Error);
      assert.ok(
        reported.some(
          (err) => (err as { code?: string }).code === "INVALID_INPUT" && err.message.includes(`${field} must be`),
        ),
        `${field}: ${JSON.stringify(value)} reported as INVALID_INPUT naming the field`,
      );
      const polled = await exchange("p1", {}, "out");
      assert.equal(polled.bms.address, BATTERY_1, "input still polls");
      await helper.unload();
    }
  });

  it("shows the link on the badge: connect, values, then closed by the idle timeout", async () => {
    // The idle timeout and the sweeper run on the virtual clock; Node-RED's deliveries (setImmediate) stay real.
    const time = installVirtualClock({ realImmediate: true });
    let polled: Msg;
    try {
      await helper.load(OUR_NODES, flow({}, { idleTimeout: 1, sweepInterval: 1 }));
      assert.equal(statusTexts("p1").at(-1), `${STATUS}closed`);
      polled = await time.run(exchange("p1", {}, "out"));
      await time.until(
        () => statusTexts("p1").at(-1) === `${STATUS}closed`,
        "the badge closed by the sweeper after the idle timeout",
        10_000,
      );
    } finally {
      time.uninstall();
    }
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
      assert.deepEqual(statusesOf("p1").at(-1), { fill: "red", shape: "dot", text: `${STATUS}adapterOff` });
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
    await until(() => statusesOf("p1").some((status) => status.fill === "red"), "red badge");
  });

  it("closes its pool on unload, leaving no pool listener, link or timer", async () => {
    await helper.load(OUR_NODES, flow());
    await exchange("p1", {}, "out");
    const pool = adapterNode("a1").pool();
    assert.ok(inspect(pool).diagnostics().poolListeners > 0);
    await helper.unload();
    const after = inspect(pool).diagnostics();
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
    assert.equal(inspect(pool).diagnostics().closed, true);
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
    assert.equal(inspect(pool).diagnostics().closed, true);
    assert.equal(inspect(pool).diagnostics().poolListeners, 0);
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
      assert.deepEqual(statusesOf("p1").at(-1), {
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

  it("refuses an interval below the minimum instead of polling hundreds of times a second (fake clock)", async () => {
    const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ["setInterval", "clearInterval"] });
    try {
      for (const interval of [0.0001, "0.001", 0.5]) {
        await helper.load(OUR_NODES, flow({ interval }));
        assert.equal(clock.countTimers(), 0, `no interval started for ${interval}`);
        assert.equal(statusTexts("p1").at(-1), `${STATUS}invalidInput`);
        const polled = await exchange("p1", {}, "out");
        assert.equal(polled.bms.address, BATTERY_1, "input still polls");
        await helper.unload();
      }
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
