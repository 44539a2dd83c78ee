// Merges the package's example flows (examples/*.json) into one flows file for the demo and the end-to-end
// tests. Every example brings its own bms-adapter config node, but a simulated radio, like a real one, lets a
// battery hold only one link: two adapters polling the same virtual batteries would lock each other out. So the
// first example's adapter is kept (with the caller's settings on top) and every reference to any other adapter is
// pointed at it. The MQTT examples' broker node is shared the same way: one connection, one birth and will.
// Ids and tab labels that collide between examples are renamed, so every example keeps its own tab.

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** Reads examples/*.json of a package folder, sorted by name: [{ name, flow }]. */
function readExampleFiles(packageDir) {
  const dir = path.join(packageDir, "examples");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({
      name: file.slice(0, -".json".length),
      flow: JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")),
    }));
}

/** Whether an example needs @flowfuse/node-red-dashboard (its widgets and config nodes are the `ui-*` types). */
function needsDashboard(flow) {
  return flow.some((node) => typeof node.type === "string" && node.type.startsWith("ui-"));
}

/**
 * Whether Node-RED started from this repository can load the dashboard: it finds node modules in the user
 * directory and in every node_modules folder above its own install (so the repository's devDependency counts).
 */
function dashboardResolvable(userDir, repoRoot) {
  try {
    require.resolve("@flowfuse/node-red-dashboard/package.json", { paths: [userDir, repoRoot] });
    return true;
  } catch {
    return false;
  }
}

/** A stable 16-hex-digit id (Node-RED's own id shape) derived from the example and the original id. */
function derivedId(exampleName, id) {
  return crypto.createHash("sha256").update(`${exampleName}\0${id}`).digest("hex").slice(0, 16);
}

/** Replaces every id found in `idMap` inside a node property value (strings, arrays such as wires and links). */
function remap(value, idMap) {
  if (typeof value === "string") return idMap.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => remap(item, idMap));
  return value;
}

/** Config node types of which the merged flows keep one: the first example's, which every other is pointed at. */
const SHARED_CONFIG_TYPES = ["bms-adapter", "mqtt-broker"];

/**
 * Merges examples into one flow array.
 * @param {{name: string, flow: object[]}[]} examples
 * @param {object} adapterSettings properties put on the shared bms-adapter (e.g. transport, simBatteries).
 * @param {object} [brokerSettings] properties put on the shared mqtt-broker (e.g. broker, port).
 */
function mergeExamples(examples, adapterSettings, brokerSettings = {}) {
  const settings = { "bms-adapter": adapterSettings, "mqtt-broker": brokerSettings };
  const merged = [];
  const usedIds = new Set();
  const usedLabels = new Set();
  const sharedIds = new Map();
  for (const { name, flow } of examples) {
    const idMap = new Map();
    const dropped = new Set();
    for (const node of flow) {
      const shared = SHARED_CONFIG_TYPES.includes(node.type) ? sharedIds.get(node.type) : undefined;
      if (shared !== undefined) {
        idMap.set(node.id, shared);
        dropped.add(node);
        continue;
      }
      const id = usedIds.has(node.id) ? derivedId(name, node.id) : node.id;
      idMap.set(node.id, id);
      usedIds.add(id);
      if (SHARED_CONFIG_TYPES.includes(node.type)) sharedIds.set(node.type, id);
    }
    for (const node of flow) {
      if (dropped.has(node)) continue;
      const copy = {};
      for (const [key, value] of Object.entries(node)) copy[key] = remap(value, idMap);
      if (Object.hasOwn(settings, copy.type)) Object.assign(copy, settings[copy.type]);
      if (copy.type === "tab") {
        if (usedLabels.has(copy.label)) copy.label = `${copy.label} (${name})`;
        usedLabels.add(copy.label);
      }
      merged.push(copy);
    }
  }
  return merged;
}

module.exports = { readExampleFiles, needsDashboard, dashboardResolvable, mergeExamples };
