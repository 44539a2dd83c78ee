import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../support/repository";

/**
 * The layers of src/ as the compiled code really loads them (README "Layout"): every require() in dist/src, type-only
 * imports gone, lazy requires included. A folder may load only the folders listed for it, which all lie below it;
 * the files directly in src/ (errors, settings, the lock, …) are the shared floor every folder stands on.
 */
const SHARED = "(src)";
const MAY_LOAD: Readonly<Record<string, readonly string[]>> = {
  [SHARED]: [],
  protocol: [SHARED],
  bindings: [SHARED],
  ble: ["bindings", "protocol", SHARED],
  bms: ["ble", "protocol", SHARED],
  pool: ["bms", "ble", "bindings", "protocol", SHARED],
  sim: ["bindings", "protocol", SHARED],
  bank: ["protocol", SHARED],
  nodes: ["pool", "bms", "ble", "bindings", "sim", "bank", "protocol", SHARED],
};
/** Entry points of processes of their own, and what they may load beyond their folder's list. */
const ENTRY_POINTS: Readonly<Record<string, readonly string[]>> = {
  // The adapter host child runs the simulator for simInHost; nothing else in src/ble knows src/sim.
  "ble/host/host-process.js": ["sim"],
};

const DIST_SRC = path.join(REPO_ROOT, "dist", "src");

function compiledFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return compiledFiles(full);
    return entry.name.endsWith(".js") ? [full] : [];
  });
}

function folderOf(file: string): string {
  const relative = path.relative(DIST_SRC, file).split(path.sep);
  return relative.length === 1 ? SHARED : (relative[0] as string);
}

/** The file a relative require() loads: `x.js`, or `x/index.js` for a folder. */
function resolved(target: string): string {
  return fs.existsSync(`${target}.js`) ? `${target}.js` : path.join(target, "index.js");
}

interface Edge {
  from: string;
  to: string;
  fromFolder: string;
  toFolder: string;
}

function importGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const file of compiledFiles(DIST_SRC)) {
    const code = fs.readFileSync(file, "utf8");
    for (const match of code.matchAll(/\brequire\("(\.{1,2}\/[^"]+)"\)/g)) {
      const target = resolved(path.resolve(path.dirname(file), match[1] as string));
      edges.push({
        from: path.relative(DIST_SRC, file),
        to: path.relative(DIST_SRC, target),
        fromFolder: folderOf(file),
        toFolder: folderOf(target),
      });
    }
  }
  return edges;
}

describe("layers, from the compiled import graph", () => {
  const edges = importGraph();

  it("finds the imports (the graph is read from dist/src)", () => {
    assert.ok(edges.length > 100, `only ${edges.length} imports found`);
    assert.ok(edges.some((edge) => edge.fromFolder === "pool" && edge.toFolder === "bms"));
  });

  it("points down only: each folder loads only the folders below it", () => {
    const wrong = edges.filter((edge) => {
      if (edge.fromFolder === edge.toFolder) return false;
      const allowed = [...(MAY_LOAD[edge.fromFolder] ?? []), ...(ENTRY_POINTS[edge.from] ?? [])];
      return !allowed.includes(edge.toFolder);
    });
    assert.deepEqual(
      wrong.map((edge) => `${edge.from} -> ${edge.to}`),
      [],
    );
  });

  it("src/ble knows nothing of src/sim, except the adapter host child's own entry point", () => {
    const bleToSim = edges.filter((edge) => edge.fromFolder === "ble" && edge.toFolder === "sim");
    assert.deepEqual(
      bleToSim.map((edge) => edge.from),
      ["ble/host/host-process.js"],
    );
  });

  it("has no cycle between folders", () => {
    const next = new Map<string, Set<string>>();
    for (const edge of edges) {
      if (edge.fromFolder === edge.toFolder) continue;
      if (!next.has(edge.fromFolder)) next.set(edge.fromFolder, new Set());
      next.get(edge.fromFolder)?.add(edge.toFolder);
    }
    const cycles: string[] = [];
    const visit = (folder: string, trail: string[]) => {
      if (trail.includes(folder)) {
        cycles.push([...trail.slice(trail.indexOf(folder)), folder].join(" -> "));
        return;
      }
      for (const to of next.get(folder) ?? []) visit(to, [...trail, folder]);
    };
    for (const folder of next.keys()) visit(folder, []);
    assert.deepEqual(cycles, []);
  });
});
