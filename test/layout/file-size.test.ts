import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/repository";

/** About the most a newcomer reads in one sitting; a longer file says why at its top. */
const MAX_LINES = 350;
const REASON = "Long file:";

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

test(`no file in src/ is longer than ${MAX_LINES} lines without a reason at its top`, () => {
  const unexplained = sources(path.join(REPO_ROOT, "src"))
    .map((file) => ({ file, text: fs.readFileSync(file, "utf8") }))
    .filter(({ text }) => text.split("\n").length - 1 > MAX_LINES)
    .filter(({ text }) => !text.split("\n").slice(0, 10).join("\n").includes(REASON))
    .map(({ file }) => path.relative(REPO_ROOT, file));
  assert.deepEqual(unexplained, []);
});
