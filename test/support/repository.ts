import * as path from "node:path";

/** The repository under test, seen from dist/test/support: its root and its package manifest. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

export const MANIFEST = require(path.join(REPO_ROOT, "package.json")) as {
  name: string;
  version: string;
  main: string;
  "node-red": { nodes: Record<string, string> };
};

export const PACKAGE_NAME = MANIFEST.name;
