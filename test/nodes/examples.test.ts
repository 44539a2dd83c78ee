import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { exampleFlows } from "../support/example-flows";
import { checkDiscovery, renderTemplate } from "../support/home-assistant";
import { resolveFromNodeRed } from "../support/node-red-install";
import {
  type FlowNode,
  helper,
  type Msg,
  nextMessage,
  node,
  OUR_NODES,
  simulatorOf,
  until,
  warningsOf,
} from "./flow-harness";

// The examples exactly as users import them, except: simulator latency "instant", MQTT broker nodes that do not
// connect (the end-to-end suite runs them against a real broker), and debug nodes replaced by helper nodes with the
// same id so the test sees what the debug sidebar would show.
const examplesDir = path.resolve(__dirname, "..", "..", "..", "examples");
const nodeRedNodes = path.dirname(resolveFromNodeRed("@node-red/nodes/package.json"));
const core = (file: string) => require(path.join(nodeRedNodes, "core", file));
const CORE_NODES = [
  core("common/20-inject.js"),
  core("common/90-comment.js"),
  core("function/10-function.js"),
  core("network/10-mqtt.js"),
];
const POLL = "1. Poll a battery every 10 s";
const DASHBOARD = "2. Dashboard with batteries, switches, history and bank";
const SWITCH = "3. Switch charging off and on";
const HOME_ASSISTANT = "4. Several batteries to MQTT with Home Assistant discovery";
const BANK = "5. Bank of three batteries";
const VICTRON = "6. Bank to a Victron GX over MQTT";
const dashboardDir = path.dirname(require.resolve("@flowfuse/node-red-dashboard/package.json"));
const dashboardTypes: Record<string, string> = require(path.join(dashboardDir, "package.json"))["node-red"].nodes;

function loadExample(name: string, extraWires: Record<string, string> = {}): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(path.join(examplesDir, `${name}.json`), "utf8")) as FlowNode[];
  return flow.map((n) => {
    if (n.type === "bms-adapter") return { ...n, simLatency: "instant" };
    if (n.type === "mqtt-broker") return { ...n, autoConnect: false };
    if (n.type === "debug") return { id: n.id, type: "helper", z: n.z, wires: [] };
    const extra = extraWires[n.id];
    if (extra) {
      const [first = [], ...rest] = n.wires as string[][];
      return { ...n, wires: [[...first, extra], ...rest] };
    }
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

  it("every example is a flow-export array that shares one simulator adapter and one broker node", () => {
    const files = fs.readdirSync(examplesDir).filter((f) => f.endsWith(".json"));
    assert.equal(files.length, 6);
    const shared = (type: string) =>
      files.flatMap((f) => {
        const flow = JSON.parse(fs.readFileSync(path.join(examplesDir, f), "utf8")) as FlowNode[];
        assert.ok(Array.isArray(flow), f);
        assert.ok(
          flow.some((n) => n.type === "comment"),
          `${f} explains itself`,
        );
        const node = flow.find((n) => n.type === type);
        return node ? [JSON.stringify(node)] : [];
      });
    const adapters = shared("bms-adapter");
    assert.equal(adapters.length, 6);
    assert.equal(new Set(adapters).size, 1, "identical adapter config node in every example");
    assert.equal(JSON.parse(adapters[0]!).transport, "simulator");
    const brokers = shared("mqtt-broker");
    assert.equal(brokers.length, 2, "the Home Assistant and the Victron example");
    assert.equal(new Set(brokers).size, 1, "identical broker config node, so importing both adds it once");
  });

  it("are numbered in their names in the README's order, and the demo opens on example 1", () => {
    const readme = fs.readFileSync(path.join(examplesDir, "..", "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("## Examples"),
      readme.indexOf("\n## ", readme.indexOf("## Examples") + 3),
    );
    const listed = [...section.matchAll(/^(\d+)\. \*\*(.+?)\*\*/gm)].map((m) => `${m[1]}. ${m[2]}`);
    const files = fs
      .readdirSync(examplesDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .sort();
    assert.deepEqual(files, listed);
    const merged = exampleFlows.mergeExamples(exampleFlows.readExampleFiles(path.join(examplesDir, "..")), {});
    assert.match(String(merged.find((n) => n.type === "tab")?.label), /^BMS 1: /, "the first tab is example 1");
  });

  it("1. Poll a battery every 10 s: polls at deploy and shows the values", async () => {
    await helper.load([...OUR_NODES, ...CORE_NODES], loadExample(POLL));
    const msg = await nextMessage("bmskit.ex1.debug");
    assert.equal(typeof msg.payload.voltage, "number");
    assert.equal(msg.bms.address, "AA:BB:CC:00:00:01");
  });

  it("3. Switch charging off and on: the buttons switch the charge MOSFET", async () => {
    await helper.load([...OUR_NODES, ...CORE_NODES], loadExample(SWITCH));
    const off = nextMessage("bmskit.ex2.debug");
    node("bmskit.ex2.off").receive({});
    assert.deepEqual((await off).payload, { charge: false, discharge: true });
    const on = nextMessage("bmskit.ex2.debug");
    node("bmskit.ex2.on").receive({});
    assert.equal((await on).payload.charge, true);
  });

  describe("4. Home Assistant", () => {
    const ID = "jbd_aabbcc000001";
    /** Loads the example; returns every message its function sends to the MQTT out node, as they come. */
    const load = async (): Promise<Msg[]> => {
      const flow = loadExample(HOME_ASSISTANT, { "bmskit.ha.ha": "tap", "bmskit.ha.poll1": "polled" });
      flow.push(
        { id: "tap", type: "helper", z: "bmskit.ha.tab" },
        { id: "polled", type: "helper", z: "bmskit.ha.tab" },
      );
      await helper.load([...OUR_NODES, ...CORE_NODES], flow);
      const published: Msg[] = [];
      node("tap").on("input", (msg: Msg) => published.push(msg));
      await until(() => published.some((m) => m.topic === `bmskit/${ID}/state`), "battery 1's first state");
      return published;
    };
    const latest = (published: Msg[], topic: string) => published.filter((m) => m.topic === topic).at(-1);

    it("announces each battery with discovery configs in Home Assistant's schema whose templates read the payload", async () => {
      const published = await load();
      const state = latest(published, `bmskit/${ID}/state`)!;
      const mos = latest(published, `bmskit/${ID}/mos`)!;
      assert.equal(state.retain, true);
      assert.equal(mos.retain, true);
      const { topic, payload, retain } = latest(published, `bmskit/${ID}/availability`)!;
      assert.deepEqual(
        { topic, payload, retain },
        { topic: `bmskit/${ID}/availability`, payload: "online", retain: true },
      );
      const configs = published
        .filter((m) => m.topic.startsWith(`homeassistant/`) && m.topic.includes(ID))
        .map((m) => {
          assert.equal(m.retain, true, m.topic);
          return checkDiscovery(m.topic, m.payload);
        });
      const reading = state.payload;
      const cells = reading.cellVoltages.length;
      const sensors = reading.temperatures.length;
      assert.equal(
        configs.length,
        11 + cells + sensors + 3 + 2,
        "sensors, cells, temperatures, binary sensors, switches",
      );
      assert.equal(new Set(configs.map((c) => c.config.unique_id)).size, configs.length);
      const device = configs[0]!.config.device as Record<string, unknown>;
      assert.equal(device.name, "Battery 1", "the poll node's topic");
      assert.deepEqual([...(device.connections as unknown[][])[0]!], ["bluetooth", "AA:BB:CC:00:00:01"]);
      assert.match(String(device.model), /^JBD-/, "the BMS's model string (0x05)");
      // Every template, rendered against what was published, gives a value from the published reading.
      const topics: Record<string, unknown> = { [state.topic]: state.payload, [mos.topic]: mos.payload };
      const value = (key: string) => {
        const c = configs.find((x) => x.config.unique_id === `${ID}_${key}`)!;
        return renderTemplate(String(c.config.value_template), topics[String(c.config.state_topic)]);
      };
      for (const c of configs) renderTemplate(String(c.config.value_template), topics[String(c.config.state_topic)]);
      assert.equal(value("voltage"), String(reading.voltage));
      assert.equal(value("state_of_charge"), String(reading.stateOfCharge));
      assert.equal(value("cell_min"), String(reading.cellMin));
      for (let i = 0; i < cells; i++) assert.equal(value(`cell_${i + 1}`), String(reading.cellVoltages[i]));
      assert.equal(value("charge"), mos.payload.charge ? "ON" : "OFF");
      assert.equal(value("discharge_mosfet"), mos.payload.discharge ? "ON" : "OFF");
      assert.equal(value("protection"), reading.protectionActive.length > 0 ? "ON" : "OFF");
      // A sensor without a reading (null, from the protocol) is "None": Home Assistant shows it as unknown.
      assert.equal(renderTemplate("{{ value_json.temperatures[1] }}", { temperatures: [20.5, null] }), "None");
    });

    it("makes a battery unavailable when its data is stale or its poll fails, and available with fresh data", async () => {
      const published = await load();
      const topic = `bmskit/${ID}/availability`;
      const nextAvailability = async (): Promise<string> => {
        const before = published.length;
        await until(() => published.slice(before).some((m) => m.topic === topic), "an availability message");
        return published.slice(before).find((m) => m.topic === topic)!.payload;
      };
      // A stale resend (the poll failed, the last values come again) younger than 90 s keeps the battery
      // available; from 90 s on it is unavailable. Sent as the poll node sends them.
      const fresh = { topic: "Battery 1", payload: latest(published, `bmskit/${ID}/state`)!.payload };
      const resend = (ageMs: number) => ({ ...fresh, bms: { address: "AA:BB:CC:00:00:01", stale: true, ageMs } });
      const count = published.length;
      node("bmskit.ha.ha").receive(resend(89_000));
      const offline = nextAvailability();
      node("bmskit.ha.ha").receive(resend(90_000));
      assert.equal(await offline, "offline");
      assert.equal(published.slice(count).filter((m) => m.topic === topic).length, 1, "nothing for the 89 s one");
      // Held off (as for the phone app): three stale resends, then the poll fails and the Catch node reports it.
      // One poll after another (overlapping triggers would be coalesced into one poll).
      node("bmskit.ha.poll1").receive({ topic: "release", payload: 60 });
      for (let i = 0; i < 3; i++) {
        const resent = nextMessage("polled");
        node("bmskit.ha.poll1").receive({});
        assert.equal((await resent).bms.stale, true);
      }
      const failed = nextAvailability();
      node("bmskit.ha.poll1").receive({});
      assert.equal(await failed, "offline");
      node("bmskit.ha.poll1").receive({ topic: "reconnect" });
      const back = nextAvailability();
      node("bmskit.ha.poll1").receive({});
      assert.equal(await back, "online");
    });

    it("switches a MOSFET from a live switch command, publishes the state read back, and refuses retained ones", async () => {
      const published = await load();
      const sim = simulatorOf(3);
      const command = (topic: string, extra: Record<string, unknown> = {}) =>
        node("bmskit.ha.command").receive({ topic, payload: "OFF", ...extra });
      command(`bmskit/${ID}/charge/set`, { retain: true });
      command("bmskit/jbd_aabbcc000009/charge/set");
      const before = published.length;
      command(`bmskit/${ID}/charge/set`);
      await until(() => published.slice(before).some((m) => m.topic === `bmskit/${ID}/mos`), "the state read back");
      const mos = published.slice(before).find((m) => m.topic === `bmskit/${ID}/mos`)!;
      assert.deepEqual({ ...mos.payload }, { charge: false, discharge: true });
      assert.deepEqual(sim.battery("AA:BB:CC:00:00:01")!.mosLock, { charge: true, discharge: false }, "charge off");
      const warnings = warningsOf("bmskit.ha.command").map((w) => String(w));
      assert.ok(
        warnings.some((w) => /retained/.test(w)),
        warnings.join("\n"),
      );
      assert.ok(
        warnings.some((w) => /jbd_aabbcc000009/.test(w)),
        "a battery not announced here is refused",
      );
      sim.battery("AA:BB:CC:00:00:01")!.setLockMask(0);
    });
  });

  describe("2. Dashboard", () => {
    /** Loads the example; returns every battery list the model sends to the cards, as they come. */
    const load = async (): Promise<Msg[][]> => {
      const flow = loadExample(DASHBOARD, { "bmskit.dash.model": "cards" });
      flow.push({ id: "cards", type: "helper", z: "bmskit.dash.tab" });
      await helper.load([...OUR_NODES, ...CORE_NODES, ...dashboardNodesFor(flow)], flow);
      const lists: Msg[][] = [];
      node("cards").on("input", (msg: Msg) => lists.push(msg.payload.batteries));
      await until(() => lists.some((list) => list.length === 3), "all three batteries on the cards");
      return lists;
    };

    it("sends every battery to the cards, tolerating a sensor without a reading", async () => {
      const lists = await load();
      const first = lists.at(-1)![0]!;
      assert.equal(first.name, "Battery 1", "the poll node's topic");
      assert.equal(typeof first.freshAt, "number");
      // A reading whose second sensor is absent (null) is shown as it is.
      const reading = { ...first.payload, temperatures: [21.5, null] };
      const bms = { address: first.address, polledAt: new Date().toISOString(), stale: false };
      node("bmskit.dash.model").receive({ topic: "Battery 1", payload: reading, bms });
      await until(() => lists.at(-1)![0]!.payload.temperatures[1] === null, "the reading without a second sensor");
      assert.deepEqual([...lists.at(-1)![0]!.payload.temperatures], [21.5, null]);
    });

    it("switches charging off through the BMS switch after the card's confirmation, and shows the state read back", async () => {
      const lists = await load();
      const sim = simulatorOf(3);
      const before = lists.length;
      // What the card sends once the user confirmed "Switch off".
      node("bmskit.dash.model").receive({
        topic: "switch",
        payload: { address: "AA:BB:CC:00:00:02", port: "charge", on: false },
      });
      const second = () => lists.slice(before).map((list) => list[1]!);
      await until(() => second().some((b) => b.pending === null && b.payload.mos.charge === false), "charge off");
      assert.deepEqual({ ...second()[0]!.pending }, { port: "charge", on: false }, "busy until read back");
      assert.deepEqual(sim.battery("AA:BB:CC:00:00:02")!.mosLock, { charge: true, discharge: false });
      assert.equal(second().at(-1)!.error, null);
      sim.battery("AA:BB:CC:00:00:02")!.setLockMask(0);
    });
  });

  it("5. Bank of three batteries: the bank of 200, 100 and 100 Ah packs as one battery", async () => {
    await helper.load([...OUR_NODES, ...CORE_NODES], loadExample(BANK));
    const bank = await nextMatching("bmskit.bank.debug", (m) => m.payload.packsFresh === 3);
    assert.equal(bank.payload.nominalCapacity, 400);
    assert.deepEqual(bank.bank, { complete: true });
    assert.equal(bank.topic, "bms/House bank");
  });

  it("6. Bank to a Victron GX: the driver's JSON, with limits that follow the packs' MOSFETs", async () => {
    await helper.load([...OUR_NODES, ...CORE_NODES], loadExample(VICTRON));
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
