// End to end: `npm start`'s demo (scripts/demo.js) as a newcomer runs it, on free ports and in a private user
// directory: every example starts, the MQTT examples get a broker (nothing listens on their port here, so the demo
// runs its embedded one) and connect without an error, and Ctrl-C's SIGTERM stops Node-RED and the broker.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { freeLoopbackPort } from "../support/free-port";
import { MqttSubscriber } from "../support/mqtt-subscriber";
import { ReceivedMessages } from "../support/received-messages";
import { REPO_ROOT } from "../support/repository";
import { makeTempDir, removeDir } from "../support/user-dir";

/** Lines the MQTT nodes log when they cannot reach their broker (Node-RED's 10-mqtt.js). */
const CONNECTION_FAILED = /Connection failed to broker|Disconnected from broker/;

describe("npm start: the demo", () => {
  let work: string;
  let mqttPort: number;
  let demo: ChildProcess;
  let exited: Promise<number | null>;
  const log = new ReceivedMessages<{ topic: string; line: string }>("demo log");

  before(async () => {
    work = makeTempDir("bms-demo-");
    mqttPort = await freeLoopbackPort();
    const env = {
      ...process.env,
      PORT: String(await freeLoopbackPort()),
      MQTT_PORT: String(mqttPort),
      DEMO_USER_DIR: path.join(work, "user"),
    };
    demo = spawn(process.execPath, [path.join(REPO_ROOT, "scripts", "demo.js")], { env, stdio: "pipe" });
    exited = new Promise((resolve) => demo.once("exit", (code) => resolve(code)));
    for (const stream of [demo.stdout!, demo.stderr!]) {
      stream.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split("\n")) if (line) log.push({ topic: "line", line });
      });
    }
    await log.waitFor((m) => /Node-RED editor:/.test(m.line), "the editor URL after Started flows", 120_000);
  });

  after(async () => {
    if (demo?.exitCode === null && demo.signalCode === null) demo.kill("SIGKILL");
    await exited;
    if (work !== undefined) removeDir(work);
  });

  it("runs an embedded broker, and the MQTT examples publish to it without a connection error", async () => {
    assert.ok(log.all.some((m) => /runs one there \(aedes\)/.test(m.line)));
    const ha = await MqttSubscriber.connect(`mqtt://127.0.0.1:${mqttPort}`, ["bmskit/+/state", "bmskit/bank/victron"]);
    try {
      await ha.waitFor((m) => m.topic === "bmskit/jbd_aabbcc000001/state", "example 4's first state", 60_000);
      await ha.waitFor((m) => m.topic === "bmskit/bank/victron", "example 6's bank JSON", 60_000);
    } finally {
      await ha.close();
    }
    const lines = log.all.map((m) => m.line);
    assert.ok(
      lines.some((line) => /Connected to broker: mqtt:\/\/127\.0\.0\.1:/.test(line)),
      lines.join("\n"),
    );
    assert.deepEqual(
      lines.filter((line) => CONNECTION_FAILED.test(line) || /\[error\]/.test(line)),
      [],
    );
  });

  it("stops Node-RED and the embedded broker on SIGTERM, with exit code 0", async () => {
    demo.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.ok(log.all.some((m) => /Stopped flows/.test(m.line)));
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port: mqttPort });
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(true));
    });
    assert.ok(refused, "the embedded broker has stopped");
  });
});
