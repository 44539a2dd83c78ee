import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import vm from "node:vm";
import { normaliseAddress } from "../../src/ble/address";
import { parsePollInterval } from "../../src/nodes/poll-interval";

// The editor's validators, run from the shipped nodes/*.html, must accept exactly what the runtime accepts: a
// value the editor lets through but the runtime refuses only shows up after deploy, as a red badge.
const nodesDir = path.resolve(__dirname, "..", "..", "..", "nodes");

type Validate = (value: unknown) => boolean;

/** The `defaults` of each type registered by the first script of an editor .html, run against a stand-in RED. */
function editorDefaults(file: string): Record<string, Record<string, { validate?: Validate }>> {
  const html = fs.readFileSync(path.join(nodesDir, file), "utf8");
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!script) throw new Error(`${file} has no editor script`);
  const registered: Record<string, Record<string, { validate?: Validate }>> = {};
  const RED = {
    nodes: {
      registerType: (type: string, def: { defaults: Record<string, { validate?: Validate }> }) => {
        registered[type] = def.defaults;
      },
    },
  };
  vm.runInNewContext(script, { RED, window: {} });
  return registered;
}

function runtimeAccepts(parse: (raw: unknown) => unknown, raw: unknown): boolean {
  try {
    parse(raw);
    return true;
  } catch {
    return false;
  }
}

const ADDRESSES = [
  "AA:BB:CC:00:00:01",
  "aa-bb-cc-00-00-01",
  "aabbcc000001",
  " aa:bb:cc:00:00:01 ",
  "AA:BB-CC:00-00:01",
  "AA:BBCC:00:00:01",
  "AABB:CC00:0001",
  "AA:BB:CC:00:00",
  "AA:BB:CC:00:00:0G",
];

describe("editor validators agree with the runtime", () => {
  for (const [file, type] of [
    ["bms-poll.html", "bms-poll"],
    ["bms-mos.html", "bms-mos"],
  ] as const) {
    it(`${type}: address`, () => {
      const validate = editorDefaults(file)[type]!.address!.validate!;
      for (const address of ADDRESSES) {
        assert.equal(validate(address), runtimeAccepts(normaliseAddress, address), JSON.stringify(address));
      }
    });
  }

  it("bms-poll: interval", () => {
    const validate = editorDefaults("bms-poll.html")["bms-poll"]!.interval!.validate!;
    for (const interval of ["0", "10", "0.5", "86400", "86401", "2592000", "-1", "abc", 10, 86_400, 86_401]) {
      assert.equal(validate(interval), runtimeAccepts(parsePollInterval, interval), JSON.stringify(interval));
    }
  });
});
