// End to end: the package as `npm pack` publishes it, installed into a fresh user directory, running in a real
// Node-RED process with every example on the simulator; observed only from outside, through the admin HTTP API
// and the editor's websocket, as a user's browser sees it.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { BANK_RULES } from "../../src/nodes/bank-settings";
import { AdminApi } from "../support/admin-api";
import { CommsClient, debugMessage, fromDebugNode, type StatusData } from "../support/comms-client";
import { type Example, exampleFlows, type FlowNode } from "../support/example-flows";
import { freeLoopbackPort } from "../support/free-port";
import { assertNodeTypesLoaded } from "../support/installed-package";
import { MosquittoBroker, mosquittoSkipReason } from "../support/mosquitto";
import { MqttSubscriber } from "../support/mqtt-subscriber";
import { NODE_RED_VERSION } from "../support/node-red-install";
import { NodeRedProcess } from "../support/node-red-process";
import { PROBE, probeFlow } from "../support/probe-flow";
import { descendantsOf, isAlive } from "../support/process-tree";
import { PACKAGE_NAME, REPO_ROOT } from "../support/repository";
import { createUserDir, makeTempDir, packPackage, removeDir } from "../support/user-dir";

/** The examples' shared adapter in the tests: instant replies keep the run short. */
const EXAMPLES_ADAPTER = { transport: "simulator", simBatteries: 4, simFaults: "none", simLatency: "instant" };
/** The Victron example publishes here (its MQTT out node's topic; the driver's config.ini names the same). */
const VICTRON_EXAMPLE = "6. Bank to a Victron GX over MQTT";
/** Decided when the file loads: without mosquitto the broker test is skipped, unless REQUIRE_MQTT_BROKER=1. */
const brokerSkip = mosquittoSkipReason();

interface BmsMeta {
  address: string;
  connection: "new" | "reused";
}

/** The first complete msg from the probe's Debug node, arriving after now, whose topic is `topic`. */
async function nextProbeMessage(comms: CommsClient, topic: string): Promise<Record<string, unknown>> {
  const isProbe = fromDebugNode(PROBE.debug);
  const message = await comms.next(
    (m) => isProbe(m) && debugMessage(m).topic === topic,
    `probe debug message with topic ${topic}`,
  );
  return debugMessage(message);
}

describe("Node-RED end to end (package installed from npm pack)", () => {
  let work: string;
  let userDir: string;
  let examples: Example[];
  let runnable: Example[];
  let flows: FlowNode[];
  let red: NodeRedProcess;
  let api: AdminApi;
  let comms: CommsClient;
  let broker: MosquittoBroker | undefined;

  const startNodeRed = async () => {
    red = await NodeRedProcess.start({ userDir, port: await freeLoopbackPort(), flowFile: "flows.json" });
    api = new AdminApi(red.url);
    comms = await CommsClient.connect(red.url, ["debug", "status/#"]);
  };

  before(async () => {
    work = makeTempDir("bms-e2e-");
    userDir = path.join(work, "user");
    await createUserDir(userDir, await packPackage(work));
    examples = exampleFlows.readExampleFiles(path.join(userDir, "node_modules", PACKAGE_NAME));
    // The dashboard example runs when @flowfuse/node-red-dashboard is there (a devDependency, which Node-RED finds
    // above its own install); either way the examples library must serve it.
    const dashboard = exampleFlows.dashboardResolvable(userDir, REPO_ROOT);
    runnable = examples.filter((example) => dashboard || !exampleFlows.needsDashboard(example.flow));
    flows = [
      ...exampleFlows.mergeExamples(runnable, EXAMPLES_ADAPTER),
      ...probeFlow({ topic: "probe-1", adapterName: "probe" }),
    ];
    if (!brokerSkip) {
      // The MQTT examples publish to a real broker of the test's own instead of localhost:1883.
      broker = await MosquittoBroker.start();
      for (const node of flows.filter((n) => n.type === "mqtt-broker")) {
        Object.assign(node, { broker: "127.0.0.1", port: String(broker.port) });
      }
    }
    fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows));
    await startNodeRed();
  });

  after(async () => {
    await comms?.close();
    await red?.stop("SIGKILL");
    await broker?.stop();
    if (work !== undefined) removeDir(work);
  });

  it("runs the Node-RED the test support chose, on the Node.js running the suite", async () => {
    // The admin API's diagnostics report (Help > About in the editor) names both, as the runtime sees them.
    const report = await api.getJson<{ nodejs: { version: string }; runtime: { version: string } }>("diagnostics");
    // "-git" is Node-RED's mark for a runtime that sees a .git four folders above its runtime package: true of the
    // devDependency inside this repository.
    assert.ok([NODE_RED_VERSION, `${NODE_RED_VERSION}-git`].includes(report.runtime.version), report.runtime.version);
    assert.equal(report.nodejs.version, process.version);
  });

  it("lists the module's node types, loaded without error", () => assertNodeTypesLoaded(api));

  it("gives the editor the bank's address and max-age rules as the runtime enforces them", async () => {
    const settings = await api.getJson<Record<string, unknown>>("settings");
    assert.deepEqual(settings.bmsBankRules, BANK_RULES);
  });

  it("registers and serves the package's icons", async () => {
    const icons = await api.getJson<Record<string, string[]>>("icons");
    const ours = icons[PACKAGE_NAME] ?? [];
    assert.ok(ours.length > 0, `no icons registered for ${PACKAGE_NAME}: ${JSON.stringify(icons)}`);
    for (const icon of ours) {
      const served = await api.getStatus(`icons/${PACKAGE_NAME}/${icon}`);
      assert.equal(served.status, 200, icon);
      assert.match(served.contentType ?? "", /^image\//, icon);
    }
  });

  it("serves every example through the Import > Examples library", async () => {
    assert.ok(examples.length > 0, "the package ships no examples");
    for (const example of examples) {
      const served = await api.getJson(`library/examples/flows/${PACKAGE_NAME}/${encodeURIComponent(example.name)}`);
      assert.deepEqual(served, example.flow, example.name);
    }
  });

  it("starts every example's flow with no node in error", async () => {
    const loaded = red.log.filter((line) => /\[(error|warn)\]/.test(line) && /bms-/.test(line));
    assert.deepEqual(loaded, []);
    assert.ok(!red.log.some((line) => line.includes("Waiting for missing types")), red.log.join("\n"));
  });

  it("delivers polled payloads to the Debug sidebar of every example that polls on a timer", async () => {
    let checked = 0;
    for (const tab of flows.filter((node) => node.type === "tab" && node.id !== PROBE.tab)) {
      const onTab = flows.filter((node) => node.z === tab.id);
      const timed = onTab.filter((node) => node.type === "bms-poll" && Number(node.interval) > 0);
      // The active Debug nodes downstream of a timed poll (the dashboard's and Home Assistant's go elsewhere).
      const downstream = reachableFrom(timed, onTab);
      const debugIds = new Set(
        onTab.filter((n) => n.type === "debug" && n.active !== false && downstream.has(n.id)).map((n) => n.id),
      );
      if (debugIds.size === 0) continue;
      const message = await comms.waitFor(
        (m) => m.topic === "debug" && debugIds.has((m.data as { id: string }).id),
        `debug output on tab "${String(tab.label)}"`,
      );
      assert.ok(typeof (message.data as { msg: unknown }).msg === "string");
      checked += 1;
    }
    assert.ok(checked > 0, "no example polls on a timer into a Debug node");
  });

  it("sends msg.payload and msg.bms as DESIGN 4.2 describes", async () => {
    const msg = await nextProbeMessage(comms, "probe-1");
    const payload = msg.payload as Record<string, unknown>;
    const bms = msg.bms as BmsMeta;
    assert.equal(typeof payload.voltage, "number");
    assert.equal(typeof payload.stateOfCharge, "number");
    assert.equal((payload.cellVoltages as number[]).length, 4);
    assert.equal(bms.address, PROBE.address);
  });

  it("shows live values in the poll node's status badge", async () => {
    const status = await comms.waitFor(
      (m) => m.topic === `status/${PROBE.poll}` && /V/.test((m.data as StatusData).text ?? ""),
      "a badge with a voltage",
    );
    const data = status.data as StatusData;
    assert.equal(data.fill, "green");
    assert.equal(data.shape, "dot");
    assert.ok((data.text ?? "").length < 20, data.text);
  });

  it("sends a static badge as its catalog key, for the editor to translate in each browser's language", async () => {
    const status = await comms.waitFor(
      (m) =>
        m.topic.startsWith("status/") &&
        /^@bmskit\/node-red-jbd-bms\/bms-adapter:/.test((m.data as StatusData).text ?? ""),
      "a badge text that is a catalog key",
    );
    assert.match(
      (status.data as StatusData).text ?? "",
      /^@bmskit\/node-red-jbd-bms\/bms-adapter:bms-adapter\.status\.\w+$/,
    );
  });

  it("publishes the Victron example's bank JSON through a real MQTT broker", { skip: brokerSkip }, async () => {
    const example = examples.find((e) => e.name === VICTRON_EXAMPLE)!;
    const topic = String(example.flow.find((n) => n.type === "mqtt out")!.topic);
    const subscriber = await MqttSubscriber.connect(broker!.url, [topic]);
    try {
      // The bank sends once a pack is fresh; wait for the message with all three packs counted.
      const message = await subscriber.waitFor(
        (m) => m.topic === topic && JSON.parse(m.payload).System?.NrOfModulesOnline === 3,
        `${topic} with three packs online`,
      );
      assert.equal(message.retain, false);
      assert.doesNotMatch(message.payload, /true|false/, "dbus-mqtt-battery takes 0/1 flags, not booleans");
      const json = JSON.parse(message.payload);
      assert.equal(typeof json.Dc.Power, "number");
      assert.equal(typeof json.Dc.Voltage, "number");
      assert.equal(typeof json.Dc.Current, "number");
      assert.ok(json.Soc >= 0 && json.Soc <= 100, `Soc ${json.Soc}`);
      assert.equal(json.InstalledCapacity, 400, "batteries 1-3 of the simulator: 200 + 100 + 100 Ah");
      assert.equal(json.ConsumedAmphours, Number((json.InstalledCapacity - json.Capacity).toFixed(2)));
      assert.equal(json.System.NrOfModulesOffline, 0);
      assert.equal(json.Info.MaxChargeVoltage, 13.8);
      // Each pack that can charge (discharge) adds the example's 50 A (100 A) to the limit.
      assert.equal(json.Info.MaxChargeCurrent, 50 * (3 - json.System.NrOfModulesBlockingCharge));
      assert.equal(json.Info.MaxDischargeCurrent, 100 * (3 - json.System.NrOfModulesBlockingDischarge));
      assert.equal(json.Io.AllowToCharge, json.Info.MaxChargeCurrent > 0 ? 1 : 0);
      assert.equal(json.Io.AllowToDischarge, json.Info.MaxDischargeCurrent > 0 ? 1 : 0);
    } finally {
      await subscriber.close();
    }
  });

  it("answers the editor's scan, before a deploy (settings in the query) and through a deployed adapter", async () => {
    const before = new URLSearchParams({ transport: "simulator", simBatteries: "2", simLatency: "instant" });
    const deployed = new URLSearchParams({ id: PROBE.adapter });
    for (const query of [before, deployed]) {
      query.set("duration", "2");
      const found = await api.getJson<{ address: string; recognised: unknown[] }[]>(`bms-adapter/scan?${query}`);
      assert.ok(Array.isArray(found), JSON.stringify(found));
      for (const entry of found) assert.match(entry.address, /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/i);
      assert.ok(
        found.some((entry) => entry.recognised.length > 0 && entry.address === PROBE.address),
        `${query}: ${JSON.stringify(found)}`,
      );
    }
  });

  for (const type of ["nodes", "flows"] as const) {
    it(`keeps the adapter's links on a "${type}" deploy that leaves the adapter alone`, async () => {
      await nextProbeMessage(comms, currentTopic(flows));
      const topic = `probe-${type}`;
      flows = withProbe(flows, { topic, adapterName: "probe" });
      await api.deploy(flows, type);
      const msg = await nextProbeMessage(comms, topic);
      assert.equal((msg.bms as BmsMeta).connection, "reused");
    });
  }

  it('connects afresh after a "nodes" deploy that changes the adapter, in a new adapter host process', async () => {
    const hostsBefore = descendantsOf(red.pid);
    assert.equal(hostsBefore.length, 1, "the probe adapter's host process");
    const topic = "probe-adapter-changed";
    flows = withProbe(flows, { topic, adapterName: "probe renamed" });
    await api.deploy(flows, "nodes");
    const msg = await nextProbeMessage(comms, topic);
    assert.equal((msg.bms as BmsMeta).connection, "new");
    assert.deepEqual(hostsBefore.filter(isAlive), [], "the replaced adapter's host process is gone");
    const hostsAfter = descendantsOf(red.pid);
    assert.equal(hostsAfter.length, 1, "one host process for the new adapter");
  });

  it("connects afresh after a full deploy", async () => {
    await nextProbeMessage(comms, currentTopic(flows));
    const topic = "probe-full";
    flows = withProbe(flows, { topic, adapterName: "probe renamed" });
    await api.deploy(flows, "full");
    const msg = await nextProbeMessage(comms, topic);
    assert.equal((msg.bms as BmsMeta).connection, "new");
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`stops on ${signal} and leaves no child process behind`, async () => {
      if (!red.running) await startNodeRed();
      await nextProbeMessage(comms, currentTopic(flows));
      const pid = red.pid;
      const children = descendantsOf(pid);
      // The examples' adapter simulates in-process; the probe's runs in the adapter host: one child process.
      assert.equal(children.length, 1, "the probe adapter's host process");
      await comms.close();
      const exit = await red.stop(signal);
      assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}\n${red.log.slice(-20).join("\n")}`);
      assert.ok(red.log.some((line) => line.includes("Stopped flows")));
      assert.deepEqual(children.filter(isAlive), [], "children of Node-RED still running");
      assert.deepEqual(descendantsOf(pid), []);
    });
  }
});

function currentTopic(flows: FlowNode[]): string {
  return String(flows.find((node) => node.id === PROBE.poll)!.topic);
}

/** The flows with the probe tab rebuilt from `options`; only the nodes whose settings differ count as changed. */
function withProbe(flows: FlowNode[], options: { topic: string; adapterName: string }): FlowNode[] {
  const probeIds = new Set<string>(Object.values(PROBE));
  return [...flows.filter((node) => !probeIds.has(node.id)), ...probeFlow(options)];
}

/** Ids of the nodes that `from` reach through wires, among `nodes`. */
function reachableFrom(from: FlowNode[], nodes: FlowNode[]): Set<string> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const reached = new Set<string>();
  const queue = [...from];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const id of ((node.wires ?? []) as string[][]).flat()) {
      if (reached.has(id) || !byId.has(id)) continue;
      reached.add(id);
      queue.push(byId.get(id)!);
    }
  }
  return reached;
}
