import { DEFAULT_POOL_OPTIONS } from "../pool/types";
import { ADDRESS_INPUT } from "../protocol/address";
import { AUTH_PASSWORD_INPUT } from "../protocol/auth";
import { DEFAULT_SIMULATOR_OPTIONS } from "../sim/options";
import { type ModulePasswords, readPasswordList } from "./password-list";

/**
 * Every setting users type, with its range, default and unit: one schema that the runtime reads flows with (the
 * parsers below) and the editor validates with (each node type exports its part as a Node-RED node setting, and
 * resources/editor-rules.js turns an entry into a validator). Where a lower layer owns a default (the pool's
 * timeouts, the simulator's batteries), the schema takes it from there, so each default has one home.
 *
 * An entry is one of five kinds.
 */
export interface NumberSetting {
  kind: "number";
  min: number;
  /** Absent: no upper bound. */
  max?: number;
  /** The minimum itself is not allowed (a scan of 0 s). */
  minOpen?: boolean;
  integer: boolean;
  /** Seconds, where the number is a time. */
  unit?: "s";
  /** What a blank field means. */
  default: number;
  /** What the editor puts into a new node, when that differs from `default`. */
  initial?: number;
  /** A value outside the range that means something of its own (a poll interval of 0: only on input). */
  off?: { value: number; meaning: string };
}

export interface ChoiceSetting {
  kind: "choice";
  choices: readonly string[];
  default: string;
}

export interface FlagSetting {
  kind: "flag";
  default: boolean;
}

export interface TextSetting {
  kind: "text";
  default: string;
  /** The pattern a non-blank value must match, as a source the editor can rebuild, and the rule in words. */
  pattern: { source: string; flags: string };
  rule: string;
}

/**
 * A list of FF AA module passwords (a credential): blank for none, one password for every battery, or entries
 * `ADDRESS=PASSWORD` split by `separator`. The rules of a password and of an address come from ./protocol.
 */
export interface PasswordListSetting {
  kind: "passwords";
  password: { source: string; flags: string; rule: string };
  address: { source: string; flags: string };
  separator: { source: string; flags: string };
}

export type Setting = NumberSetting | ChoiceSetting | FlagSetting | TextSetting | PasswordListSetting;

const SECONDS = "s" as const;

/** bms-adapter (DESIGN 4.5, 4.8). */
export const ADAPTER_SETTINGS = {
  transport: { kind: "choice", choices: ["hci", "simulator"], default: "hci" },
  hciDevice: { kind: "number", min: 0, max: 15, integer: true, default: 0 },
  idleTimeout: {
    kind: "number",
    min: 0,
    max: 86_400,
    integer: false,
    unit: SECONDS,
    default: DEFAULT_POOL_OPTIONS.idleTimeoutMs / 1000,
  },
  keepOpen: { kind: "flag", default: DEFAULT_POOL_OPTIONS.keepOpen },
  sweepInterval: {
    kind: "number",
    min: 1,
    max: 3_600,
    integer: false,
    unit: SECONDS,
    default: DEFAULT_POOL_OPTIONS.sweepIntervalMs / 1000,
  },
  connectTimeout: {
    kind: "number",
    min: 1,
    max: 120,
    integer: false,
    unit: SECONDS,
    default: DEFAULT_POOL_OPTIONS.connectTimeoutMs / 1000,
  },
  commandTimeout: {
    kind: "number",
    min: 0.5,
    max: 30,
    integer: false,
    unit: SECONDS,
    default: DEFAULT_POOL_OPTIONS.commandTimeoutMs / 1000,
  },
  maxLinks: { kind: "number", min: 1, max: 20, integer: true, default: DEFAULT_POOL_OPTIONS.maxLinks },
  simBatteries: { kind: "number", min: 1, max: 16, integer: true, default: DEFAULT_SIMULATOR_OPTIONS.batteries },
  simCells: { kind: "number", min: 4, max: 32, integer: true, default: DEFAULT_SIMULATOR_OPTIONS.cells },
  simFaults: { kind: "choice", choices: ["none", "flaky", "hostile"], default: DEFAULT_SIMULATOR_OPTIONS.faults },
  simLatency: { kind: "choice", choices: ["realistic", "instant"], default: DEFAULT_SIMULATOR_OPTIONS.latency },
  simInHost: { kind: "flag", default: false },
  simPassword: { kind: "text", default: "", pattern: AUTH_PASSWORD_INPUT, rule: AUTH_PASSWORD_INPUT.rule },
} as const satisfies Record<string, Setting>;

/**
 * bms-adapter's credentials (Node-RED keeps them out of the flows, in the encrypted credentials file): the passwords
 * of the batteries' Bluetooth modules, which the pool sends in the FF AA handshake of each new link.
 */
export const ADAPTER_CREDENTIALS = {
  password: {
    kind: "passwords",
    password: AUTH_PASSWORD_INPUT,
    address: ADDRESS_INPUT,
    separator: { source: "[,\\r\\n]", flags: "" },
  },
} as const satisfies Record<string, Setting>;

/**
 * bms-poll. The interval: the vendor's own phone app polls about once a second (PROTOCOL 7), which is what the BLE
 * module is built to serve; a poll holds the link for two request/reply rounds (about 0.14 s on a kept link), so a
 * shorter interval mostly queues behind the poll in flight, never lets the link go idle, and takes air time from the
 * battery's MOSFET commands and the adapter's other batteries (faster readings stay possible on demand: every input
 * message polls). At most a day: Node's timers hold at most 2^31-1 ms (about 24.8 days) and run a longer delay after
 * 1 ms instead, which would hammer the battery; longer gaps belong to a cron inject.
 */
export const POLL_SETTINGS = {
  interval: {
    kind: "number",
    min: 1,
    max: 86_400,
    integer: false,
    unit: SECONDS,
    default: 0,
    initial: 10,
    off: { value: 0, meaning: "only on input" },
  },
  onFailure: { kind: "choice", choices: ["error", "last"], default: "error" },
  staleLimit: { kind: "number", min: 0, integer: true, default: 3 },
} as const satisfies Record<string, Setting>;

/** bms-bank: the seconds after which a pack's last good payload no longer counts; a day at most, like the interval. */
export const BANK_SETTINGS = {
  maxAge: { kind: "number", min: 1, max: 86_400, integer: false, unit: SECONDS, default: 60 },
} as const satisfies Record<string, Setting>;

/** The editor's scan endpoint (`duration` in its query). */
export const SCAN_SETTINGS = {
  duration: { kind: "number", min: 0, minOpen: true, max: 10, integer: false, unit: SECONDS, default: 4 },
} as const satisfies Record<string, Setting>;

/** The address rule, for the editors of the nodes that take one (a pattern source and its words; normalizeAddress). */
export const ADDRESS_SETTING = ADDRESS_INPUT;

/** An entry as the editor gets it: the schema's facts and what a value may be, in the words the runtime reports by. */
export type EditorSetting<S extends Setting> = S & { allowed: string };

/**
 * A part of the schema as a node type exports it to the editor (RED.settings): each entry with `allowed`, which the
 * dialog's validators show for an invalid value, so the editor says what the runtime would say.
 */
export function forEditor<T extends Record<string, Setting>>(schema: T): { [K in keyof T]: EditorSetting<T[K]> } {
  const entries = Object.entries(schema).map(([name, setting]) => [
    name,
    { ...setting, allowed: allowedValues(setting) },
  ]);
  return Object.fromEntries(entries) as { [K in keyof T]: EditorSetting<T[K]> };
}

type ValueOf<S extends Setting> = S extends NumberSetting
  ? number
  : S extends FlagSetting
    ? boolean
    : S extends PasswordListSetting
      ? ModulePasswords
      : string;
export type SettingValues<T extends Record<string, Setting>> = { -readonly [K in keyof T]: ValueOf<T[K]> };

/**
 * Reads settings as they arrive from flow JSON, the editor or a URL, where numbers may come as strings: a blank field
 * (absent, null, "") takes its default, and a value that breaks its rule takes the default too and adds one line to
 * `problems`, naming the field and its rule, so that the caller reports every bad field at once (INVALID_INPUT) or
 * refuses the lot. `names` limits the reading to some of the schema's fields.
 */
export function readSettings<T extends Record<string, Setting>, K extends keyof T & string>(
  schema: T,
  input: object,
  names: readonly K[],
): { values: Pick<SettingValues<T>, K>; problems: string[] } {
  const problems: string[] = [];
  const values = {} as Pick<SettingValues<T>, K>;
  for (const name of names) {
    const raw = (input as Record<string, unknown>)[name];
    (values as Record<string, unknown>)[name] = readSetting(name, schema[name] as Setting, raw, problems);
  }
  return { values, problems };
}

function readSetting(name: string, setting: Setting, raw: unknown, problems: string[]): unknown {
  if (setting.kind === "flag") return raw === true || raw === "true";
  if (setting.kind === "passwords") return readPasswordList(name, setting, raw, problems);
  if (raw === undefined || raw === null || raw === "") return setting.default;
  const value = acceptedValue(setting, raw);
  if (value !== undefined) return value;
  problems.push(`${name} must be ${allowedValues(setting)}`);
  return setting.default;
}

/** A non-blank raw value as the setting's type when its rule allows it, else undefined. */
function acceptedValue(setting: Exclude<Setting, FlagSetting | PasswordListSetting>, raw: unknown): unknown {
  switch (setting.kind) {
    case "choice":
      return typeof raw === "string" && setting.choices.includes(raw) ? raw : undefined;
    case "text":
      return typeof raw === "string" && new RegExp(setting.pattern.source, setting.pattern.flags).test(raw)
        ? raw
        : undefined;
    case "number": {
      const value = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw.trim()) : Number.NaN;
      return numberAllowed(setting, value) ? value : undefined;
    }
  }
}

/** What a value of the setting may be, in words: what follows "must be" in a problem line and in the editor. */
function allowedValues(setting: Setting): string {
  switch (setting.kind) {
    case "flag":
      return "true or false";
    case "choice":
      return `one of ${setting.choices.join(", ")}`;
    case "text":
      return `empty or ${setting.rule}`;
    case "number":
      return numberRule(setting);
    case "passwords":
      return `one password (${setting.password.rule}) for every battery, or ADDRESS=PASSWORD entries separated by commas or line breaks`;
  }
}

function numberAllowed(setting: NumberSetting, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (setting.off !== undefined && value === setting.off.value) return true;
  if (setting.minOpen ? value <= setting.min : value < setting.min) return false;
  if (setting.max !== undefined && value > setting.max) return false;
  return !setting.integer || Number.isInteger(value);
}

/** The rule in words, e.g. "a number of seconds from 1 to 86400". */
function numberRule(setting: NumberSetting): string {
  const unit = setting.unit === SECONDS ? " seconds" : "";
  if (setting.off !== undefined) {
    return `${setting.off.value} (${setting.off.meaning}) or ${setting.min} to ${setting.max}${unit}`;
  }
  const kind = `${setting.integer ? "a whole number" : "a number"}${setting.unit === SECONDS ? " of seconds" : ""}`;
  if (setting.max === undefined) return `${kind} of ${setting.min} or more`;
  if (setting.minOpen) return `${kind} above ${setting.min} and at most ${setting.max}`;
  return `${kind} from ${setting.min} to ${setting.max}`;
}
