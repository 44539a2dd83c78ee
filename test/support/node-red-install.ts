import * as path from "node:path";
import { REPO_ROOT } from "./repository";

/**
 * The one place the suites find Node-RED: the test helper's runtime, red.js for the processes the end-to-end and
 * browser suites start, and the core nodes. By default the devDependency (the 4.1 line, on Node 20).
 * scripts/test-runtime.js sets TEST_NODE_RED_PREFIX to its cached install of the 5.x line (an npm prefix folder)
 * for the runs on Node 22 and 24.
 */
const prefix = process.env.TEST_NODE_RED_PREFIX ?? REPO_ROOT;

/** Resolves a module the way the chosen Node-RED's own code would find it (its dependencies beside it). */
export function resolveFromNodeRed(request: string): string {
  return require.resolve(request, { paths: [NODE_RED_DIR] });
}

export const NODE_RED_DIR = path.dirname(require.resolve("node-red/package.json", { paths: [prefix] }));
export const NODE_RED_VERSION: string = require(path.join(NODE_RED_DIR, "package.json")).version;
export const NODE_RED_MAJOR = Number(NODE_RED_VERSION.split(".")[0]);
/** The runtime module node-red-node-test-helper initialises from (node-red's `main`). */
export const NODE_RED_RUNTIME = resolveFromNodeRed("node-red");
/** red.js, run directly: killing an `npx` wrapper would leave the server running. */
export const RED_JS = path.join(NODE_RED_DIR, "red.js");
