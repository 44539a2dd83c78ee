// End to end: example 4 in a real Node-RED process against Debian's mosquitto, read by an MQTT client the way Home
// Assistant reads it: the retained discovery configs in Home Assistant's schema, the state, availability (online,
// and offline once Node-RED is gone), and a switch command as Home Assistant sends it, confirmed by the BMS.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { exampleFlows } from "../support/example-flows";
import { freeLoopbackPort } from "../support/free-port";
import { checkDiscovery, renderTemplate } from "../support/home-assistant";
import { MosquittoBroker, mosquittoSkipReason } from "../support/mosquitto";
import { MqttSubscriber, type ReceivedMqttMessage } from "../support/mqtt-subscriber";
import { NodeRedProcess } from "../support/node-red-process";
import { REPO_ROOT } from "../support/repository";
import { createUserDir, makeTempDir, removeDir } from "../support/user-dir";

const EXAMPLE = "4. Several batteries to MQTT with Home Assistant discovery";
const ADAPTER = { transport: "simulator", simBatteries: 3, simFaults: "none", simLatency: "instant" };
const BATTERIES = ["aabbcc000001", "aabbcc000002", "aabbcc000003"].map((hex) => `jbd_${hex}`);

describe("Home Assistant example against mosquitto", { skip: mosquittoSkipReason() }, () => {
  let work: string;
  let broker: MosquittoBroker;
  let red: NodeRedProcess;
  let ha: MqttSubscriber;

  before(async () => {
    work = makeTempDir("bms-ha-");
    const userDir = path.join(work, "user");
    await createUserDir(userDir, REPO_ROOT);
    broker = await MosquittoBroker.start();
    const example = exampleFlows.readExampleFiles(REPO_ROOT).filter((e) => e.name === EXAMPLE);
    assert.equal(example.length, 1);
    const flows = exampleFlows.mergeExamples(example, ADAPTER, { broker: "127.0.0.1", port: String(broker.port) });
    fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows));
    red = await NodeRedProcess.start({ userDir, port: await freeLoopbackPort(), flowFile: "flows.json" });
    ha = await MqttSubscriber.connect(broker.url, ["homeassistant/#", "bmskit/#"]);
  });

  after(async () => {
    await ha?.close();
    await red?.stop("SIGKILL");
    await broker?.stop();
    if (work !== undefined) removeDir(work);
  });

  /** The newest message on `topic` that satisfies `predicate`, waiting for it if need be. */
  const latest = async (topic: string, predicate: (m: ReceivedMqttMessage) => boolean = () => true) => {
    await ha.waitFor((m) => m.topic === topic && predicate(m), topic);
    return ha.all.filter((m) => m.topic === topic && predicate(m)).at(-1)!;
  };

  it("announces every battery with retained discovery configs whose templates read the retained state", async () => {
    for (const id of BATTERIES) {
      const state = JSON.parse((await latest(`bmskit/${id}/state`)).payload);
      const mos = JSON.parse((await latest(`bmskit/${id}/mos`)).payload);
      // A subscriber arriving later (Home Assistant after a restart) gets the configs from the broker.
      const late = await MqttSubscriber.connect(broker.url, [`homeassistant/+/${id}_voltage/config`]);
      const retained = await late.waitFor((m) => m.retain, "the retained voltage config");
      await late.close();
      assert.equal(JSON.parse(retained.payload).unique_id, `${id}_voltage`);
      const expected = 11 + state.cellVoltages.length + state.temperatures.length + 3 + 2;
      await ha.waitFor(
        () => ha.all.filter((m) => m.topic.startsWith("homeassistant/") && m.topic.includes(id)).length >= expected,
        `${expected} configs of ${id}`,
      );
      const topics: Record<string, unknown> = { [`bmskit/${id}/state`]: state, [`bmskit/${id}/mos`]: mos };
      for (const message of ha.all.filter((m) => m.topic.startsWith("homeassistant/") && m.topic.includes(id))) {
        const { config } = checkDiscovery(message.topic, JSON.parse(message.payload));
        renderTemplate(String(config.value_template), topics[String(config.state_topic)]);
      }
      // What the state holds is the poll payload's: its own cell statistics and power agree with it.
      assert.equal(state.cellMin, Math.min(...state.cellVoltages));
      assert.equal(state.cellMax, Math.max(...state.cellVoltages));
      assert.ok(Math.abs(state.power - state.voltage * state.current) < 0.01, JSON.stringify(state));
      assert.ok(state.stateOfCharge >= 0 && state.stateOfCharge <= 100);
      assert.deepEqual(Object.keys(mos).sort(), ["charge", "discharge"]);
      assert.equal((await latest(`bmskit/${id}/availability`)).payload, "online");
    }
    assert.equal((await latest("bmskit/status")).payload, "online", "the broker node's birth message");
  });

  it("switches charging off from a switch command and publishes the state read back", async () => {
    const [id] = BATTERIES;
    const commands = await MqttSubscriber.connect(broker.url, []);
    try {
      await commands.publish(`bmskit/${id}/charge/set`, "OFF");
      const off = await latest(`bmskit/${id}/mos`, (m) => JSON.parse(m.payload).charge === false);
      assert.deepEqual(JSON.parse(off.payload), { charge: false, discharge: true });
      await commands.publish(`bmskit/${id}/charge/set`, "ON");
      await latest(`bmskit/${id}/mos`, (m) => JSON.parse(m.payload).charge === true);
    } finally {
      await commands.close();
    }
  });

  it("turns every entity unavailable when Node-RED stops (retained offline on the bridge topic)", async () => {
    const exit = await red.stop("SIGTERM");
    assert.equal(exit.code, 0);
    const late = await MqttSubscriber.connect(broker.url, ["bmskit/status"]);
    try {
      const status = await late.waitFor((m) => m.retain, "the retained bridge status");
      assert.equal(status.payload, "offline");
    } finally {
      await late.close();
    }
  });
});
