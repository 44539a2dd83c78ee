// The test-support broker that the MQTT example tests run against: Debian's mosquitto on a free port with a
// private config, stopped by its PID. Checked on its own so an example test that fails points at the example.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import mqtt from "mqtt";
import { MosquittoBroker, mosquittoSkipReason } from "../support/mosquitto";
import { MqttSubscriber } from "../support/mqtt-subscriber";
import { isAlive } from "../support/process-tree";

describe("test-support mosquitto broker", { skip: mosquittoSkipReason() }, () => {
  it("carries a message between two clients, and stopping it leaves no process and no directory", async () => {
    const broker = await MosquittoBroker.start();
    const pid = broker.pid;
    const directory = broker.directory;
    assert.ok(fs.existsSync(directory));
    try {
      const subscriber = await MqttSubscriber.connect(broker.url, ["probe/#"]);
      const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
      await publisher.publishAsync("probe/one", JSON.stringify({ ok: true }), { retain: true });
      const received = await subscriber.waitFor((m) => m.topic === "probe/one", "the published probe message");
      assert.deepEqual(JSON.parse(received.payload), { ok: true });
      await publisher.endAsync();
      await subscriber.close();
    } finally {
      await broker.stop();
    }
    assert.equal(isAlive(pid), false, "the broker process is gone");
    assert.equal(fs.existsSync(directory), false, "its private directory is removed");
  });
});
