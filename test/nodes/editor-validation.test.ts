import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import vm from "node:vm";
import type { NodeAPI } from "node-red";
import { normaliseAddress } from "../../src/ble/address";
import { MIN_POLL_INTERVAL_SECONDS, parsePollInterval } from "../../src/nodes/poll-interval";

import bmsMos = require("../../src/nodes/bms-mos");
import bmsPoll = require("../../src/nodes/bms-poll");

// The editor's validators, run from the shipped nodes/*.html, must accept exactly what the runtime accepts: a
// value the editor lets through but the runtime refuses only shows up after deploy, as a red badge.
const nodesDir = path.resolve(__dirname, "..", "..", "..", "nodes");

type Validate = (value: unknown) => boolean;

/**
 * The settings the runtime modules export to the editor (`RED.settings` there), as Node-RED gathers them: the
 * `settings` option of each registerType call whose entries are exportable.
 */
function runtimeSettings(): Record<string, unknown> {
  const exported: Record<string, unknown> = {};
  const RED = {
    nodes: {
      registerType: (_type: string, _node: unknown, options?: { settings?: Record<string, NodeSetting> }) => {
        for (const [name, setting] of Object.entries(options?.settings ?? {})) {
          if (setting.exportable) exported[name] = setting.value;
        }
      },
    },
  };
  bmsPoll(RED as unknown as NodeAPI);
  bmsMos(RED as unknown as NodeAPI);
  return exported;
}

interface NodeSetting {
  value: unknown;
  exportable?: boolean;
}

/** The `defaults` of each type registered by the first script of an editor .html, run against a stand-in RED. */
function editorDefaults(file: string): Record<string, Record<string, { validate?: Validate }>> {
  const html = fs.readFileSync(path.join(nodesDir, file), "utf8");
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!script) throw new Error(`${file} has no editor script`);
  const registered: Record<string, Record<string, { validate?: Validate }>> = {};
  const RED = {
    settings: runtimeSettings(),
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

  it("bms-poll: interval, with the minimum and maximum the runtime exports to the editor", () => {
    const validate = editorDefaults("bms-poll.html")["bms-poll"]!.interval!.validate!;
    const intervals = ["0", "10", "1", "0.99", "0.5", "0.1", "0.001", "0.0001", "1e-4", "86400", "86401", "2592000"];
    for (const interval of [...intervals, "-1", "abc", 10, 1, 0.5, 0.0001, 86_400, 86_401]) {
      assert.equal(validate(interval), runtimeAccepts(parsePollInterval, interval), JSON.stringify(interval));
    }
    // Polling ~850 times a second is refused on both sides; 0 still means "only on input".
    for (const tooFast of ["0.0001", "0.001", "0.5", 0.0001]) {
      assert.equal(validate(tooFast), false, JSON.stringify(tooFast));
      assert.throws(() => parsePollInterval(tooFast), /interval must be 0 \(only on input\) or 1 to 86400 seconds/);
    }
    assert.equal(parsePollInterval("0"), 0);
    assert.equal(parsePollInterval(1), MIN_POLL_INTERVAL_SECONDS);
  });
});
