// The README's Install section shows exactly the install commands the suites run (test/support/install-commands.ts),
// with the published package, repository or tarball name where the tests use a local one.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { installCommand, README_INSTALL_SPECS } from "../support/install-commands";
import { REPO_ROOT } from "../support/repository";

/** The shell lines of the fenced code blocks in the README section headed `## <title>`. */
function shellLinesOfSection(title: string): string[] {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has no "## ${title}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) => block[1]!.trim().split("\n"));
}

describe("README Install section", () => {
  it("shows the install command of every tested route, and no other install command", () => {
    const shown = shellLinesOfSection("Install").filter((line) => line.startsWith("npm install"));
    const tested = Object.values(README_INSTALL_SPECS).map((spec) => installCommand(spec).join(" "));
    assert.deepEqual(shown.sort(), tested.sort());
  });

  it("runs each in the Node-RED user directory", () => {
    const lines = shellLinesOfSection("Install");
    for (const [i, line] of lines.entries()) {
      if (line.startsWith("npm install")) assert.equal(lines[i - 1], "cd ~/.node-red", line);
    }
  });
});
