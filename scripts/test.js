#!/usr/bin/env node
// `npm test`: build (which type-checks: tsc emits nothing on a type error), lint, then run every suite with
// node's own test runner so CI reads one summary line. Suites are the compiled test files under dist/test/.

const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const run = (file, args) => execFileSync(process.execPath, [file, ...args], { stdio: "inherit", cwd: root });

run(path.join(root, "scripts", "build.js"), []);
run(path.join(root, "node_modules", "@biomejs", "biome", "bin", "biome"), ["check", "."]);

function collect(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return collect(full);
    return entry.name.endsWith(".test.js") ? [full] : [];
  });
}
// Suites named on the command line (e.g. `npm test -- protocol`) narrow the run to matching paths.
const filters = process.argv.slice(2);
const files = collect(path.join(root, "dist", "test"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], {
  stdio: "inherit",
  cwd: root,
});
process.exit(result.status ?? 1);
