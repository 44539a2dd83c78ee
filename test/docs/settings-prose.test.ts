import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ADAPTER_SETTINGS, BANK_SETTINGS, type NumberSetting, type Setting } from "../../src/nodes/settings-schema";
import { REPO_ROOT } from "../support/repository";

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

/** What the README says in parentheses right after a setting's flow JSON name, e.g. "60 s after the last use, 0–86400". */
function readmeSays(name: string): string {
  const said = new RegExp(`\`${name}\` \\(([^)]*)\\)`).exec(README)?.[1];
  assert.ok(said !== undefined, `README describes \`${name}\` with its default and range in parentheses`);
  return said;
}

test("the README states each number setting's default and range as the settings schema does", () => {
  const schema: Record<string, Setting> = { ...ADAPTER_SETTINGS, ...BANK_SETTINGS };
  const numbers = Object.entries(schema).filter(
    (entry): entry is [string, NumberSetting] => entry[1].kind === "number",
  );
  assert.ok(numbers.length >= 9);
  for (const [name, setting] of numbers) {
    const said = readmeSays(name);
    assert.ok(
      said.includes(`${setting.min}–${setting.max}`),
      `${name}: "${said}" gives the range ${setting.min}–${setting.max}`,
    );
    assert.match(
      said,
      new RegExp(`(^|\\D)${String(setting.default).replace(".", "\\.")}(\\D|$)`),
      `${name}: "${said}" gives the default`,
    );
  }
});
