import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import vm from "node:vm";
import type { NodeAPI } from "node-red";
import { parseAdapterSettings } from "../../src/nodes/adapter-settings";
import { parseBankSettings } from "../../src/nodes/bank-settings";
import { parsePollInterval } from "../../src/nodes/poll-interval";
import { normalizeAddress } from "../../src/protocol/address";

// The editor's validators, run from the shipped nodes/*.html, must accept exactly what the runtime accepts: a
// value the editor lets through but the runtime refuses only shows up after deploy, as a red badge.
const nodesDir = path.resolve(__dirname, "..", "..", "..", "nodes");

type Validate = (value: unknown) => boolean;

/**
 * The node settings a runtime module exports to the editor (`registerType(type, constructor, { settings })`), as
 * Node-RED hands them to RED.settings in the browser: name -> value.
 */
function exportedSettings(nodeModule: (RED: NodeAPI) => void): Record<string, unknown> {
  const exported: Record<string, unknown> = {};
  const RED = {
    nodes: {
      registerType: (
        _type: string,
        _constructor: unknown,
        options?: { settings?: Record<string, { value: unknown }> },
      ) => {
        for (const [name, setting] of Object.entries(options?.settings ?? {})) exported[name] = setting.value;
      },
    },
  };
  nodeModule(RED as unknown as NodeAPI);
  return exported;
}

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
    // What the runtime exports, as the editor receives it: the bank's rules come from the runtime module itself.
    settings: exportedSettings(require("../../src/nodes/bms-bank")),
  };
  vm.runInNewContext(script, { RED, window: {} });
  return registered;
}

function runtimeAccepts<T>(parse: (raw: T) => unknown, raw: T): boolean {
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
        assert.equal(validate(address), runtimeAccepts(normalizeAddress, address), JSON.stringify(address));
      }
    });
  }

  it("bms-adapter: simPassword", () => {
    const validate = editorDefaults("bms-adapter.html")["bms-adapter"]!.simPassword!.validate!;
    const runtime = (simPassword: unknown) => parseAdapterSettings({ transport: "simulator", simPassword });
    for (const password of [
      "",
      "123456",
      "Ab !~z",
      "12345",
      "1234567",
      " 12345",
      "12345\t",
      "12345é",
      "１２３４５６",
      "12\u00003456".slice(0, 6),
      null,
      undefined,
    ]) {
      assert.equal(validate(password), runtimeAccepts(runtime, password), JSON.stringify(password));
    }
  });

  it("bms-poll: interval", () => {
    const validate = editorDefaults("bms-poll.html")["bms-poll"]!.interval!.validate!;
    for (const interval of ["0", "10", "0.5", "86400", "86401", "2592000", "-1", "abc", 10, 86_400, 86_401]) {
      assert.equal(validate(interval), runtimeAccepts(parsePollInterval, interval), JSON.stringify(interval));
    }
  });

  it("bms-bank: packs, with the address rule the runtime exports", () => {
    const validate = editorDefaults("bms-bank.html")["bms-bank"]!.packs!.validate!;
    const packsCases: unknown[] = [
      [],
      ["AA:BB:CC:00:00:01"],
      ["AA:BB:CC:00:00:01", "aabbcc000002", " aa-bb-cc-00-00-03 "],
      ["AA:BB:CC:00:00:01", "aa-bb-cc-00-00-01"],
      ["nonsense"],
      ...ADDRESSES.map((address) => [address]),
      "AA:BB:CC:00:00:01",
      [42],
    ];
    for (const packs of packsCases) {
      assert.equal(validate(packs), runtimeAccepts(parseBankSettings, { packs }), JSON.stringify(packs));
    }
  });

  it("bms-bank: maxAge, with the range the runtime exports", () => {
    const validate = editorDefaults("bms-bank.html")["bms-bank"]!.maxAge!.validate!;
    for (const maxAge of ["", "1", "0", "0.5", "60", " 90 ", "86400", "86401", "-1", "abc", 60, 1, 0.5, 86_401]) {
      const accepted = runtimeAccepts(parseBankSettings, { packs: ["AA:BB:CC:00:00:01"], maxAge });
      assert.equal(validate(maxAge), accepted, JSON.stringify(maxAge));
    }
  });
});
