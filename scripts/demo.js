#!/usr/bin/env node
// `npm start` (after the build): a real Node-RED 4 on 127.0.0.1 with this package linked into a private user
// directory (.node-red/, git-ignored) and the example flows running on simulated batteries, so a newcomer sees
// batteries polling without any hardware. The flows file is rewritten from examples/ on every start (the demo
// always shows the examples as shipped; export anything you built in it before restarting). PORT chooses the port,
// MQTT_PORT the MQTT examples' broker port (1883, theirs), DEMO_USER_DIR the user directory (.node-red/).

const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const { ensureBroker } = require("./demo-broker.js");
const { dashboardResolvable, mergeExamples, needsDashboard, readExampleFiles } = require("./example-flows.js");

const root = path.resolve(__dirname, "..");
const userDir = path.resolve(process.env.DEMO_USER_DIR ?? path.join(root, ".node-red"));
const host = "127.0.0.1";
const port = Number(process.env.PORT ?? 1880);
const mqttPort = Number(process.env.MQTT_PORT ?? 1883);
const packageName = require(path.join(root, "package.json")).name;
const redJs = path.join(path.dirname(require.resolve("node-red/package.json", { paths: [root] })), "red.js");

/** The simulated adapter every example shares: several batteries, the measured (slow, realistic) BLE timings. */
const DEMO_ADAPTER = { transport: "simulator", simBatteries: 4, simFaults: "none", simLatency: "realistic" };
/** The broker every MQTT example shares: the one ensureBroker finds or starts. */
const DEMO_BROKER = { broker: host, port: String(mqttPort) };

function portIsFree() {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** Links this repository into the user directory (once; the link follows every rebuild). */
function installPackage() {
  fs.mkdirSync(userDir, { recursive: true });
  const manifest = path.join(userDir, "package.json");
  // Without its own package.json npm would walk up and install into this repository instead.
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, '{ "name": "node-red-demo", "private": true }\n');
  const linked = path.join(userDir, "node_modules", ...packageName.split("/"));
  if (fs.existsSync(linked) && fs.realpathSync(linked) === fs.realpathSync(root)) return;
  console.log(`Installing ${packageName} into ${path.relative(root, userDir)}/ ...`);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", root], { cwd: userDir, stdio: "inherit" });
}

/** Writes flows.json from the examples; returns which extras they need: the dashboard, an MQTT broker. */
function writeFlows() {
  const withDashboard = dashboardResolvable(userDir, root);
  const examples = readExampleFiles(root).filter((example) => {
    if (!needsDashboard(example.flow) || withDashboard) return true;
    console.log(
      `Skipping example "${example.name}": it needs @flowfuse/node-red-dashboard ` +
        `(npm install in this repository installs it as a devDependency).`,
    );
    return false;
  });
  const flows = mergeExamples(examples, DEMO_ADAPTER, DEMO_BROKER);
  fs.writeFileSync(path.join(userDir, "flows.json"), `${JSON.stringify(flows, null, 2)}\n`);
  console.log(`Flows: ${examples.map((e) => e.name).join(", ") || "(no examples found)"}`);
  return {
    dashboard: withDashboard && examples.some((e) => needsDashboard(e.flow)),
    mqtt: flows.some((node) => node.type === "mqtt-broker"),
  };
}

/** The MQTT examples' broker: the one listening on their port, else an embedded one; null when none could start. */
async function startBroker() {
  try {
    const broker = await ensureBroker(host, mqttPort);
    console.log(
      broker.embedded
        ? `MQTT broker: none on ${host}:${mqttPort}, so the demo runs one there (aedes); it stops with the demo.`
        : `MQTT broker: using the one already listening on ${host}:${mqttPort}.`,
    );
    return broker;
  } catch (err) {
    console.error(`MQTT broker: could not start one on ${host}:${mqttPort} (${err.message}); the MQTT examples`);
    console.error("will log connection failures. MQTT_PORT=1884 npm start picks another port.");
    return null;
  }
}

async function main() {
  if (!(await portIsFree())) {
    console.error(`Port ${port} on ${host} is already in use (another Node-RED?). Stop it, or choose another port:`);
    console.error(`  PORT=1881 npm start`);
    process.exit(1);
  }
  installPackage();
  const needs = writeFlows();
  const broker = needs.mqtt ? await startBroker() : null;
  const args = [redJs, "-u", userDir, "-p", String(port), "-D", `uiHost=${host}`];
  // The demo flows hold no secrets, so no credential key (which would only add a warning to the log).
  args.push("-D", "editorTheme.tours=false", "-D", "credentialSecret=false", "--no-telemetry", "flows.json");
  const red = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });

  let announced = false;
  red.stdout.on("data", (chunk) => {
    process.stdout.write(chunk);
    if (announced || !chunk.toString().includes("Started flows")) return;
    announced = true;
    console.log(`\n  Node-RED editor:  http://${host}:${port}/`);
    if (needs.dashboard) console.log(`  Dashboard:        http://${host}:${port}/dashboard`);
    console.log("  Press Ctrl-C to stop.\n");
  });

  // Ctrl-C reaches Node-RED too (same process group); forwarding is harmless (it stops once) and covers a plain
  // `kill`. Either way we stay until Node-RED has closed its flows and exited.
  const forward = (signal) => red.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  red.on("exit", (code, signal) => {
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
    process.exitCode = signal === null ? (code ?? 0) : 0;
    // Node-RED has closed its flows (and its MQTT connections) by now.
    broker?.close().catch((err) => console.error(`MQTT broker: ${err.message}`));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
