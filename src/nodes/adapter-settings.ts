import type { NodeDef } from "node-red";
import { BmsError } from "../errors";
import type { PoolOptions } from "../pool/types";
import { isAuthPassword } from "../protocol/auth";
import type { FaultProfileName, LatencyModelName } from "../sim/options";
import type { AdapterConfig } from "./adapter-radio";

/**
 * The bms-adapter properties as they arrive from flow JSON or from the scan endpoint's query string
 * (DESIGN 4.8). Numbers may come as strings from the editor or a URL, so every field is parsed here.
 */
export interface AdapterSettingsInput {
  transport?: unknown;
  hciDevice?: unknown;
  idleTimeout?: unknown;
  keepOpen?: unknown;
  sweepInterval?: unknown;
  connectTimeout?: unknown;
  commandTimeout?: unknown;
  maxLinks?: unknown;
  simBatteries?: unknown;
  simCells?: unknown;
  simFaults?: unknown;
  simLatency?: unknown;
  simInHost?: unknown;
  simPassword?: unknown;
}

export type AdapterNodeDef = NodeDef & AdapterSettingsInput;

export interface AdapterSettings {
  adapter: AdapterConfig;
  options: Omit<PoolOptions, "log">;
}

/** Ranges the editor's validators also enforce; the runtime checks again because flows can be hand-edited. */
export const SETTING_RANGES = {
  hciDevice: { min: 0, max: 15, integer: true, fallback: 0 },
  idleTimeout: { min: 0, max: 86_400, integer: false, fallback: 60 },
  sweepInterval: { min: 1, max: 3_600, integer: false, fallback: 10 },
  connectTimeout: { min: 1, max: 120, integer: false, fallback: 15 },
  commandTimeout: { min: 0.5, max: 30, integer: false, fallback: 3 },
  maxLinks: { min: 1, max: 20, integer: true, fallback: 5 },
  simBatteries: { min: 1, max: 16, integer: true, fallback: 3 },
  simCells: { min: 4, max: 32, integer: true, fallback: 4 },
} as const;

type RangedSetting = keyof typeof SETTING_RANGES;

const FAULT_PROFILES: readonly FaultProfileName[] = ["none", "flaky", "hostile"];
const LATENCY_MODELS: readonly LatencyModelName[] = ["realistic", "instant"];

/**
 * Turns raw settings into the adapter choice and pool options, or throws one INVALID_INPUT BmsError naming every
 * bad field (a blank field takes its default). The pool is never created from settings that fail here.
 */
export function parseAdapterSettings(input: AdapterSettingsInput): AdapterSettings {
  const problems: string[] = [];
  const num = (key: RangedSetting): number => {
    const range = SETTING_RANGES[key];
    const raw = input[key];
    if (raw === undefined || raw === null || raw === "") return range.fallback;
    const value = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw.trim()) : Number.NaN;
    if (
      !Number.isFinite(value) ||
      value < range.min ||
      value > range.max ||
      (range.integer && !Number.isInteger(value))
    ) {
      problems.push(
        `${key} must be ${range.integer ? "a whole number" : "a number"} from ${range.min} to ${range.max}`,
      );
      return range.fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(key: keyof AdapterSettingsInput, allowed: readonly T[], fallback: T): T => {
    const raw = input[key];
    if (raw === undefined || raw === null || raw === "") return fallback;
    if (typeof raw === "string" && (allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${key} must be one of ${allowed.join(", ")}`);
    return fallback;
  };

  // Blank = modules without FF AA; otherwise the rule encodeAuthPassword applies, so the simulator can be opened.
  const simPassword = (): { password?: string } => {
    const raw = input.simPassword;
    if (raw === undefined || raw === null || raw === "") return {};
    if (isAuthPassword(raw)) return { password: raw };
    problems.push("simPassword must be empty or exactly 6 printable ASCII characters");
    return {};
  };

  const transport = oneOf("transport", ["hci", "simulator"] as const, "hci");
  const options: Omit<PoolOptions, "log"> = {
    idleTimeoutMs: num("idleTimeout") * 1000,
    keepOpen: input.keepOpen === true || input.keepOpen === "true",
    sweepIntervalMs: num("sweepInterval") * 1000,
    connectTimeoutMs: num("connectTimeout") * 1000,
    commandTimeoutMs: num("commandTimeout") * 1000,
    maxLinks: num("maxLinks"),
  };
  const adapter: AdapterConfig =
    transport === "hci"
      ? { transport: "hci", hciDevice: num("hciDevice") }
      : {
          transport: "simulator",
          simulator: {
            batteries: num("simBatteries"),
            cells: num("simCells"),
            faults: oneOf("simFaults", FAULT_PROFILES, "none"),
            latency: oneOf("simLatency", LATENCY_MODELS, "realistic"),
            ...simPassword(),
          },
          // The simulator behind the same child-process path real hardware takes (tests, and trying that path).
          inHost: input.simInHost === true || input.simInHost === "true",
        };
  if (problems.length > 0) {
    throw new BmsError("INVALID_INPUT", `Invalid bms-adapter settings: ${problems.join("; ")}`, {
      details: { problems },
    });
  }
  return { adapter, options };
}
