import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { resolveFromNodeRed } from "../support/node-red-install";
import { type FlowNode, helper, nextMessage, nextMessages, node, OUR_NODES } from "./flow-harness";

// The examples exactly as users import them, except: simulator latency "instant", and debug nodes replaced by
// helper nodes with the same id so the test sees what the debug sidebar would show.
const examplesDir = path.resolve(__dirname, "..", "..", "..", "examples");
const nodeRedNodes = path.dirname(resolveFromNodeRed("@node-red/nodes/package.json"));
const core = (file: string) => require(path.join(nodeRedNodes, "core", file));
const CORE_NODES = [
  core("common/20-inject.js"),
  core("common/90-comment.js"),
  core("function/10-function.js"),
  core("network/10-mqtt.js"),
];
const dashboardDir = path.dirname(require.resolve("@flowfuse/node-red-dashboard/package.json"));
const dashboardTypes: Record<string, string> = require(path.join(dashboardDir, "package.json"))["node-red"].nodes;

function loadExample(name: string, extraWires: Record<string, string> = {}): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(path.join(examplesDir, `${name}.json`), "utf8")) as FlowNode[];
  return flow.map((n) => {
    if (n.type === "bms-adapter") return { ...n, simLatency: "instant" };
    if (n.type === "debug") return { id: n.id, type: "helper", z: n.z, wires: [] };
    const extra = extraWires[n.id];
    if (extra) return { ...n, wires: [[...((n.wires as string[][])[0] ?? []), extra]] };
    return n;
  });
}

function dashboardNodesFor(flow: FlowNode[]): unknown[] {
  const used = new Set(flow.map((n) => n.type).filter((t) => t in dashboardTypes));
  return [...used].map((t) => require(path.join(dashboardDir, dashboardTypes[t]!)));
}

describe("examples", () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it("every example is a flow-export array that shares one simulator adapter", () => {
    const files = fs.readdirSync(examplesDir).filter((f) => f.endsWith(".json"));
    assert.equal(files.length, 4);
    const adapters = files.map((f) => {
      const flow = JSON.parse(fs.readFileSync(path.join(examplesDir, f), "utf8")) as FlowNode[];
      assert.ok(Array.isArray(flow), f);
      assert.ok(
        flow.some((n) => n.type === "comment"),
        `${f} explains itself`,
      );
      return JSON.stringify(flow.find((n) => n.type === "bms-adapter"));
    });
    assert.equal(new Set(adapters).size, 1, "identical adapter config node in every example");
    assert.equal(JSON.parse(adapters[0]!).transport, "simulator");
  });

  it("Poll a battery every 10 s: polls at deploy and shows the values", async () => {
    await helper.load([...OUR_NODES, ...CORE_NODES], loadExample("Poll a battery every 10 s"));
    const msg = await nextMessage("bmskit.ex1.debug");
    assert.equal(typeof msg.payload.voltage, "number");
    assert.equal(msg.bms.address, "AA:BB:CC:00:00:01");
  });

  it("Switch charging off and on: the buttons switch the charge MOSFET", async () => {
    await helper.load([...OUR_NODES, ...CORE_NODES], loadExample("Switch charging off and on"));
    const off = nextMessage("bmskit.ex2.debug");
    node("bmskit.ex2.off").receive({});
    assert.deepEqual((await off).payload, { charge: false, discharge: true });
    const on = nextMessage("bmskit.ex2.debug");
    node("bmskit.ex2.on").receive({});
    assert.equal((await on).payload.charge, true);
  });

  it("Several batteries to MQTT: announces Home Assistant discovery config and state without a broker", async () => {
    const flow = loadExample("Several batteries to MQTT with Home Assistant discovery", { "bmskit.ex3.ha": "tap" });
    flow.push({ id: "tap", type: "helper", z: "bmskit.ex3.tab" });
    await helper.load([...OUR_NODES, ...CORE_NODES], flow);
    // Three batteries: each announces its 10 sensors once, then its state.
    const msgs = await nextMessages("tap", 33);
    const configs = msgs.filter((m) => /^homeassistant\/sensor\/jbd_[0-9a-f]{12}\/\w+\/config$/.test(m.topic));
    const states = msgs.filter((m) => /^bmskit\/jbd_[0-9a-f]{12}\/state$/.test(m.topic));
    assert.equal(configs.length, 30);
    assert.equal(states.length, 3);
    for (const c of configs) {
      assert.equal(c.retain, true);
      assert.ok(c.payload.unique_id && c.payload.state_topic && c.payload.device.identifiers.length === 1);
    }
    assert.equal(new Set(configs.map((c) => c.payload.unique_id)).size, 30);
    assert.equal(typeof states[0]!.payload.stateOfCharge, "number");
  });

  it("Dashboard: loads with FlowFuse Dashboard 2.0 and feeds its widgets", async () => {
    const flow = loadExample("Dashboard with SOC, voltage, current and cells", { "bmskit.ex4.split1": "tap" });
    flow.push({ id: "tap", type: "helper", z: "bmskit.ex4.tab" });
    await helper.load([...OUR_NODES, ...CORE_NODES, ...dashboardNodesFor(flow)], flow);
    const soc = await nextMessage("tap");
    assert.ok(soc.payload >= 0 && soc.payload <= 100);
  });
});
