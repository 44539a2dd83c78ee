import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import vm from "node:vm";
import type { NodeAPI } from "node-red";
import { parseAdapterSettings } from "../../src/nodes/adapter-settings";
import { parseBankSettings } from "../../src/nodes/bank-settings";
import { MIN_POLL_INTERVAL_SECONDS, parsePollInterval } from "../../src/nodes/poll-interval";
import { POLL_SETTINGS, readSettings } from "../../src/nodes/settings-schema";
import { normalizeAddress } from "../../src/protocol/address";

import bmsAdapter = require("../../src/nodes/bms-adapter");
import bmsBank = require("../../src/nodes/bms-bank");
import bmsMos = require("../../src/nodes/bms-mos");
import bmsPoll = require("../../src/nodes/bms-poll");

// The editor's validators, run from the shipped nodes/*.html, must accept exactly what the runtime accepts: a
// value the editor lets through but the runtime refuses only shows up after deploy, as a red badge.
const nodesDir = path.resolve(__dirname, "..", "..", "..", "nodes");
const resourcesDir = path.resolve(__dirname, "..", "..", "..", "resources");

type Validate = (value: unknown) => boolean;

/**
 * The settings our runtime modules export to the editor (`RED.settings` there), as Node-RED gathers them: the
 * `settings` option of each registerType call, the entries marked exportable.
 */
function exportedSettings(): Record<string, unknown> {
  const exported: Record<string, unknown> = {};
  const RED = {
    nodes: {
      registerType: (_type: string, _node: unknown, options?: { settings?: Record<string, NodeSetting> }) => {
        for (const [name, setting] of Object.entries(options?.settings ?? {})) {
          if (setting.exportable) exported[name] = setting.value;
        }
      },
    },
    // bms-adapter also registers the scan endpoint, which this stand-in takes and ignores.
    httpAdmin: { get: () => undefined },
    auth: { needsPermission: () => () => undefined },
  };
  for (const nodeModule of [bmsAdapter, bmsPoll, bmsMos, bmsBank]) nodeModule(RED as unknown as NodeAPI);
  // As the editor gets them: through JSON.
  return JSON.parse(JSON.stringify(exported));
}

interface NodeSetting {
  value: unknown;
  exportable?: boolean;
}

type EditorProperties = Record<string, Record<string, { validate?: Validate; value?: unknown }>>;

/**
 * The `defaults` of each type registered by the first script of an editor .html, run against a stand-in RED after
 * the package's resources/ scripts the .html loads (as the editor loads them, in order, into the same window).
 */
function editorDefaults(file: string): EditorProperties {
  return editorDefinitions(file).defaults;
}

/** The `defaults` and the `credentials` of each type an editor .html registers (see editorDefaults). */
function editorDefinitions(file: string): { defaults: EditorProperties; credentials: EditorProperties } {
  const html = fs.readFileSync(path.join(nodesDir, file), "utf8");
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!script) throw new Error(`${file} has no editor script`);
  const resources = [
    ...html.matchAll(/<script type="text\/javascript" src="resources\/@bmskit\/node-red-jbd-bms\/([^"]+)"/g),
  ];
  const defaults: EditorProperties = {};
  const credentials: EditorProperties = {};
  const RED = {
    settings: exportedSettings(),
    nodes: {
      registerType: (
        type: string,
        def: { defaults: EditorProperties[string]; credentials?: EditorProperties[string] },
      ) => {
        defaults[type] = def.defaults;
        credentials[type] = def.credentials ?? {};
      },
    },
  };
  const context = vm.createContext({ RED, window: {} });
  for (const [, resource] of resources) {
    vm.runInContext(fs.readFileSync(path.join(resourcesDir, resource as string), "utf8"), context);
  }
  vm.runInContext(script, context);
  return { defaults, credentials };
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

  it("bms-adapter: the module password credential, and the editor's stand-in for a stored one", () => {
    const validate = editorDefinitions("bms-adapter.html").credentials["bms-adapter"]!.password!.validate!;
    const runtime = (password: unknown) => parseAdapterSettings({}, { password });
    for (const password of [
      "",
      "  \n",
      "123456",
      "Ab !~z",
      " 2,4=6",
      "123456\n",
      "12345",
      "1234567",
      "12345é",
      "AA:BB:CC:00:00:01=123456",
      "aa-bb-cc-00-00-01 = 123456 ,\r\naabbcc000002=ab=d f\n",
      "AA:BB:CC:00:00:01=123456,AA:BB:CC:00:00:01=654321",
      "AA:BB:CC:00:00:01=123456,aabbcc000001=654321",
      "AA:BB:CC:00:00:01=12345",
      "AA:BB:CC:00:00:0G=123456",
      "123456=AA:BB:CC:00:00:01",
      "AA:BB:CC:00:00:01=123456, 654321",
      "AA:BB:CC:00:00:01=123456,,",
      "=123456",
      null,
      undefined,
    ]) {
      assert.equal(validate(password), runtimeAccepts(runtime, password), JSON.stringify(password));
    }
    // A stored password comes back to the dialog as "__PWRD__", which leaves it as it is: the runtime never sees that.
    assert.equal(validate("__PWRD__"), true);
  });

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

  it("bms-adapter: every number and choice field, with the rules and defaults of the runtime's settings schema", () => {
    const defaults = editorDefaults("bms-adapter.html")["bms-adapter"]!;
    const runtime = (field: string) => (value: unknown) =>
      parseAdapterSettings({ transport: "simulator", [field]: value });
    const values: unknown[] = [
      "",
      "0",
      "1",
      "1.5",
      "-1",
      "0.5",
      "3",
      "4",
      "16",
      "17",
      "32",
      "33",
      "120",
      "121",
      "3600",
    ];
    const numbers = ["hciDevice", "idleTimeout", "sweepInterval", "connectTimeout", "commandTimeout", "maxLinks"];
    for (const field of [...numbers, "simBatteries", "simCells"]) {
      const validate = defaults[field]!.validate!;
      const accepts =
        field === "hciDevice"
          ? (value: unknown) => parseAdapterSettings({ transport: "hci", hciDevice: value })
          : runtime(field);
      for (const value of [...values, "86400", "86401", " 5 ", "abc", 2, 2.5, null]) {
        assert.equal(validate(value), runtimeAccepts(accepts, value), `${field} ${JSON.stringify(value)}`);
      }
      // A new node starts with the value a blank field means at runtime.
      assert.ok(runtimeAccepts(accepts, defaults[field]!.value), `${field} default`);
    }
    for (const [field, good] of [
      ["transport", "simulator"],
      ["simFaults", "flaky"],
      ["simLatency", "instant"],
    ] as const) {
      const validate = defaults[field]!.validate!;
      for (const value of [good, "", "evil", 3]) {
        assert.equal(validate(value), runtimeAccepts(runtime(field), value), `${field} ${JSON.stringify(value)}`);
      }
    }
    assert.deepEqual(parseAdapterSettings({}).options.idleTimeoutMs, (defaults.idleTimeout!.value as number) * 1000);
  });

  it("bms-poll: staleLimit, with the rule the runtime reports by", () => {
    const validate = editorDefaults("bms-poll.html")["bms-poll"]!.staleLimit!.validate!;
    for (const staleLimit of ["", "0", "3", "2.5", "-1", "abc", 3, 1e6, -2]) {
      const { problems } = readSettings(POLL_SETTINGS, { staleLimit }, ["staleLimit"]);
      assert.equal(validate(staleLimit), problems.length === 0, JSON.stringify(staleLimit));
    }
  });
});
