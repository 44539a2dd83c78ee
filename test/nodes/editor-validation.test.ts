import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import vm from "node:vm";
import type { NodeAPI } from "node-red";
import type { BmsError } from "../../src/errors";
import { parseAdapterSettings } from "../../src/nodes/adapter-settings";
import { parseBankSettings } from "../../src/nodes/bank-settings";
import { MIN_POLL_INTERVAL_SECONDS, parsePollInterval } from "../../src/nodes/poll-interval";
import { POLL_SETTINGS, readSettings } from "../../src/nodes/settings-schema";
import { ADDRESS_INPUT, normalizeAddress } from "../../src/protocol/address";
import { translate } from "../support/catalog";

import bmsAdapter = require("../../src/nodes/bms-adapter");
import bmsBank = require("../../src/nodes/bms-bank");
import bmsMos = require("../../src/nodes/bms-mos");
import bmsPoll = require("../../src/nodes/bms-poll");

// The editor's validators, run from the shipped nodes/*.html, must accept exactly what the runtime accepts: a
// value the editor lets through but the runtime refuses only shows up after deploy, as a red badge. For a value they
// refuse they say why, as the runtime would: the field's label and what it allows, in the runtime's words.
const nodesDir = path.resolve(__dirname, "..", "..", "..", "nodes");
const resourcesDir = path.resolve(__dirname, "..", "..", "..", "resources");

/** What a validator answers: true, or the message the editor shows for the field. */
type Validate = (value: unknown, options?: unknown) => true | string;

/** The runtime's problem line for `field` ("idleTimeout must be …") as the dialog words it for the field's label. */
function asEditorSays(problem: string, field: string, label: string): string {
  assert.ok(problem.startsWith(`${field} must be `), problem);
  return `${label}: ${problem.slice(field.length + 1)}`;
}

/** The problem lines of the INVALID_INPUT a parser throws, or [] when it takes the input. */
function runtimeProblems(parse: () => unknown): string[] {
  try {
    parse();
    return [];
  } catch (err) {
    const details = (err as BmsError).details as { problems?: string[] } | undefined;
    return details?.problems ?? [(err as Error).message];
  }
}

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
    _: translate,
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

/**
 * The editor and the runtime agree on one value of a field: the validator answers true where the runtime has no
 * problem with it, and otherwise the runtime's problem line, worded for the field's label.
 */
function agree(validate: Validate, value: unknown, problems: string[], field: string, label: string): void {
  const expected = problems.length === 0 ? true : asEditorSays(problems[0]!, field, label);
  assert.equal(validate(value), expected, `${field} ${JSON.stringify(value)}`);
}

describe("editor validators agree with the runtime and say why", () => {
  it("every validator takes two parameters, so the editor shows the message it returns", () => {
    for (const [file, type] of [
      ["bms-adapter.html", "bms-adapter"],
      ["bms-poll.html", "bms-poll"],
      ["bms-mos.html", "bms-mos"],
      ["bms-bank.html", "bms-bank"],
    ] as const) {
      for (const [field, definition] of Object.entries(editorDefaults(file)[type]!)) {
        if (!definition.validate || (type === "bms-bank" && field === "packs") || field === "onFailure") continue;
        assert.equal(definition.validate.length, 2, `${type} ${field}`);
      }
    }
  });

  for (const [file, type] of [
    ["bms-poll.html", "bms-poll"],
    ["bms-mos.html", "bms-mos"],
  ] as const) {
    it(`${type}: address`, () => {
      const validate = editorDefaults(file)[type]!.address!.validate!;
      // Blank, for the runtime as for the editor, includes nothing but spaces.
      for (const address of [...ADDRESSES, "", "   "]) {
        const problems = address.trim() === "" ? [] : runtimeProblems(() => normalizeAddress(address));
        assert.equal(validate(address) === true, problems.length === 0, JSON.stringify(address));
        if (problems.length === 0) continue;
        // The same rule in the same words on both sides.
        assert.ok(problems[0]!.endsWith(`is not ${ADDRESS_INPUT.rule}`), problems[0]);
        assert.equal(
          validate(address),
          `Address: must be blank (msg.address names the battery) or ${ADDRESS_INPUT.rule}`,
        );
      }
    });
  }

  it("bms-adapter: simPassword", () => {
    const validate = editorDefaults("bms-adapter.html")["bms-adapter"]!.simPassword!.validate!;
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
      const problems = runtimeProblems(() => parseAdapterSettings({ transport: "simulator", simPassword: password }));
      agree(validate, password, problems, "simPassword", "Simulated password");
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
      const accepted = runtimeAccepts(runtime, password);
      const answer = validate(password);
      assert.equal(answer === true, accepted, JSON.stringify(password));
      // Refused with what the field allows, never quoting the password.
      if (!accepted) assert.match(String(answer), /^Module password: must be one password \(exactly 6 printable/);
    }
    // A stored password comes back to the dialog as "__PWRD__", which leaves it as it is: the runtime never sees that.
    assert.equal(validate("__PWRD__"), true);
  });

  it("bms-poll: interval, with the minimum and maximum the runtime exports to the editor", () => {
    const validate = editorDefaults("bms-poll.html")["bms-poll"]!.interval!.validate!;
    const intervals = ["0", "10", "1", "0.99", "0.5", "0.1", "0.001", "0.0001", "1e-4", "86400", "86401", "2592000"];
    for (const interval of [...intervals, "-1", "abc", 10, 1, 0.5, 0.0001, 86_400, 86_401]) {
      agree(
        validate,
        interval,
        runtimeProblems(() => parsePollInterval(interval)),
        "interval",
        "Poll every",
      );
    }
    // Polling ~850 times a second is refused on both sides, saying what is allowed; 0 still means "only on input".
    for (const tooFast of ["0.0001", "0.001", "0.5", 0.0001]) {
      assert.equal(validate(tooFast), "Poll every: must be 0 (only on input) or 1 to 86400 seconds");
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
      assert.equal(validate(packs) === true, runtimeAccepts(parseBankSettings, { packs }), JSON.stringify(packs));
    }
  });

  it("bms-bank: maxAge, with the range the runtime exports", () => {
    const validate = editorDefaults("bms-bank.html")["bms-bank"]!.maxAge!.validate!;
    for (const maxAge of ["", "1", "0", "0.5", "60", " 90 ", "86400", "86401", "-1", "abc", 60, 1, 0.5, 86_401]) {
      const problems = runtimeProblems(() => parseBankSettings({ packs: ["AA:BB:CC:00:00:01"], maxAge }));
      agree(validate, maxAge, problems, "maxAge", "Max age");
    }
    assert.equal(validate("0"), "Max age: must be a number of seconds from 1 to 86400");
  });

  it("bms-adapter: every number and choice field, with the rules and defaults of the runtime's settings schema", () => {
    const defaults = editorDefaults("bms-adapter.html")["bms-adapter"]!;
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
      const label = translate(`@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.label.${field}`);
      const parse = (value: unknown) =>
        parseAdapterSettings({ transport: field === "hciDevice" ? "hci" : "simulator", [field]: value });
      for (const value of [...values, "86400", "86401", " 5 ", "abc", 2, 2.5, null]) {
        agree(
          validate,
          value,
          runtimeProblems(() => parse(value)),
          field,
          label,
        );
      }
      // A new node starts with the value a blank field means at runtime.
      assert.deepEqual(
        runtimeProblems(() => parse(defaults[field]!.value)),
        [],
        `${field} default`,
      );
    }
    for (const [field, label, good] of [
      ["transport", "Radio", "simulator"],
      ["simFaults", "Faults", "flaky"],
      ["simLatency", "Latency", "instant"],
    ] as const) {
      const validate = defaults[field]!.validate!;
      for (const value of [good, "", "evil", 3]) {
        const problems = runtimeProblems(() => parseAdapterSettings({ transport: "simulator", [field]: value }));
        agree(validate, value, problems, field, label);
      }
    }
    assert.equal(defaults.idleTimeout!.validate!("-5"), "Idle timeout: must be a number of seconds from 0 to 86400");
    assert.deepEqual(parseAdapterSettings({}).options.idleTimeoutMs, (defaults.idleTimeout!.value as number) * 1000);
  });

  it("bms-poll: staleLimit, with the rule the runtime reports by", () => {
    const validate = editorDefaults("bms-poll.html")["bms-poll"]!.staleLimit!.validate!;
    for (const staleLimit of ["", "0", "3", "2.5", "-1", "abc", 3, 1e6, -2]) {
      const { problems } = readSettings(POLL_SETTINGS, { staleLimit }, ["staleLimit"]);
      agree(validate, staleLimit, problems, "staleLimit", "Stale for up to");
    }
  });

  it("bms-poll: onFailure, with the rule the runtime reports by", () => {
    const validate = editorDefaults("bms-poll.html")["bms-poll"]!.onFailure!.validate!;
    for (const onFailure of ["", "error", "last", "retry", "LAST", 1]) {
      const { problems } = readSettings(POLL_SETTINGS, { onFailure }, ["onFailure"]);
      agree(validate, onFailure, problems, "onFailure", "On failure");
    }
  });
});
