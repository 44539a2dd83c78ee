import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { resolveFromNodeRed } from "../support/node-red-install";
import {
  type FlowNode,
  helper,
  type Msg,
  nextMessage,
  nextMessages,
  node,
  OUR_NODES,
  simulatorOf,
} from "./flow-harness";

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
    assert.equal(files.length, 6);
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

    // A sensor that reads nothing is null in the payload: the state keeps it null (Home Assistant renders it "None",
    // which an MQTT sensor shows as unknown), so no temperature is invented.
    const state = nextMessage("tap");
    node("bmskit.ex3.ha").receive({
      payload: { ...states[0]!.payload, temperatures: [null, 21.5] },
      bms: { address: "AA:BB:CC:00:00:01", stale: false },
    });
    assert.deepEqual((await state).payload.temperatures, [null, 21.5]);
  });

  it("Dashboard: loads with FlowFuse Dashboard 2.0 and feeds its widgets", async () => {
    const flow = loadExample("Dashboard with SOC, voltage, current and cells", { "bmskit.ex4.split1": "tap" });
    flow.push({ id: "tap", type: "helper", z: "bmskit.ex4.tab" });
    await helper.load([...OUR_NODES, ...CORE_NODES, ...dashboardNodesFor(flow)], flow);
    const soc = await nextMessage("tap");
    assert.ok(soc.payload >= 0 && soc.payload <= 100);
  });

  it("Bank of three batteries: the bank of 200, 100 and 100 Ah packs as one battery", async () => {
    await helper.load([...OUR_NODES, ...CORE_NODES], loadExample("Bank of three batteries"));
    const bank = await nextMatching("bmskit.bank.debug", (m) => m.payload.packsFresh === 3);
    assert.equal(bank.payload.nominalCapacity, 400);
    assert.deepEqual(bank.bank, { complete: true });
    assert.equal(bank.topic, "bms/House bank");
  });

  it("Bank to a Victron GX: the driver's JSON, with limits that follow the packs' MOSFETs", async () => {
    await helper.load([...OUR_NODES, ...CORE_NODES], loadExample("Bank to a Victron GX over MQTT"));
    const first = await nextMatching("bmskit.victron.debug", (m) => m.payload.System.NrOfModulesOnline === 3);
    assertDriverJson(first.payload);
    assert.equal(first.payload.InstalledCapacity, 400);

    // Every pack able to charge and discharge, then pack 2's discharge MOSFET off (the simulator's controls).
    const sim = simulatorOf(3);
    for (const n of [1, 2, 3]) sim.battery(`AA:BB:CC:00:00:0${n}`)!.soc = 50;
    sim.battery("AA:BB:CC:00:00:02")!.setLockMask(2);
    const polled = nextMatching(
      "bmskit.victron.debug",
      (m) => m.payload.System.NrOfModulesBlockingDischarge === 1 && m.payload.System.NrOfModulesOnline === 3,
    );
    for (const n of [1, 2, 3]) node(`bmskit.victron.poll${n}`).receive({});
    const json = (await polled).payload;
    assertDriverJson(json);
    assert.equal(json.Info.MaxDischargeCurrent, 2 * 100, "two packs of 100 A can discharge");
    assert.equal(json.Info.MaxChargeCurrent, 3 * 50, "all three can still charge");
    // The function node's objects come from its own VM context: compared by value, not prototype.
    assert.deepEqual({ ...json.Io }, { AllowToCharge: 1, AllowToDischarge: 1 });
    assert.equal(json.System.NrOfModulesBlockingCharge, 0);
  });
});

/** The next message on `helperId` that satisfies `predicate` (earlier ones are passed over). */
async function nextMatching(helperId: string, predicate: (msg: Msg) => boolean): Promise<Msg> {
  for (;;) {
    const msg = await nextMessage(helperId);
    if (predicate(msg)) return msg;
  }
}

/** What dbus-mqtt-battery needs (README "JSON structure"): numbers where it reads numbers, 0/1 for flags, no booleans. */
function assertDriverJson(json: Msg): void {
  assert.equal(typeof json.Dc.Power, "number");
  assert.equal(typeof json.Dc.Voltage, "number");
  assert.ok(json.Soc >= 0 && json.Soc <= 100, `Soc ${json.Soc}`);
  for (const key of ["MaxChargeVoltage", "MaxChargeCurrent", "MaxDischargeCurrent"]) {
    assert.equal(typeof json.Info[key], "number", key);
  }
  assert.equal(json.Info.MaxChargeVoltage, 13.8);
  assert.equal(json.InstalledCapacity - json.Capacity, json.ConsumedAmphours);
  const text = JSON.stringify(json);
  assert.doesNotMatch(text, /true|false/, "the driver refuses booleans");
  for (const flag of Object.values(json.Io)) assert.ok(flag === 0 || flag === 1);
}
