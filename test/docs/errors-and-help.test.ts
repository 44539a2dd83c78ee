import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { ERROR_CODES, errorRecord, type HelpedNode } from "../../src/errors";
import { REPO_ROOT } from "../support/repository";

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const HELPED: readonly HelpedNode[] = ["bms-poll", "bms-mos", "bms-bank"];

function helpPage(type: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, "nodes", "locales", "en-US", `${type}.html`), "utf8");
}

/** The lines of a README section, from its heading to the next heading of the same or a higher level. */
function readmeSection(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has no ${heading}`);
  const level = heading.split(" ")[0] as string;
  const rest = README.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** GitHub's anchors of the README's headings. */
function readmeAnchors(): Set<string> {
  const anchors = new Set<string>();
  for (const [, title] of README.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(
      (title as string)
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    );
  }
  return anchors;
}

describe("error codes in the README and the help", () => {
  it("the README's error table names every code, and no other", () => {
    const table = readmeSection("## Errors")
      .split("\n")
      .filter((line) => line.startsWith("| `"));
    const named = new Set(
      table.flatMap((line) => [...(line.split("|")[1] ?? "").matchAll(/`([A-Z_]+)`/g)].map((m) => m[1])),
    );
    assert.deepEqual([...named].sort(), [...ERROR_CODES].sort());
  });

  for (const type of HELPED) {
    it(`${type}'s help lists every code it can end with, each with its record's line`, () => {
      const listed = [...helpPage(type).matchAll(/<dt>([A-Z_]+)<\/dt><dd>([^\n]*)<\/dd>/g)];
      const expected = ERROR_CODES.filter((code) => (errorRecord(code).helpOf as readonly string[]).includes(type));
      assert.deepEqual(
        listed.map(([, code]) => code),
        expected,
      );
      for (const [, code, line] of listed) assert.equal(line, errorRecord(code as (typeof ERROR_CODES)[number]).help);
    });
  }
});

describe("help pages", () => {
  for (const type of ["bms-adapter", ...HELPED]) {
    it(`${type}'s help ends with references, and its links into the README point at sections that exist`, () => {
      const page = helpPage(type);
      assert.match(page, /<h3>References<\/h3>\s*<ul>[\s\S]*<\/ul>\s*<\/script>\s*$/);
      const anchors = readmeAnchors();
      const links = [...page.matchAll(/href="https:\/\/github\.com\/bmskit\/node-red-jbd-bms#([^"]+)"/g)];
      assert.ok(links.length > 0, "links into the README");
      for (const [, anchor] of links) assert.ok(anchors.has(anchor as string), `README has no #${anchor}`);
    });
  }
});
