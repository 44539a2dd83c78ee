import type { NodeDef } from "node-red";
import { BmsError } from "../errors";
import type { PoolOptions } from "../pool/types";
import type { FaultProfileName, LatencyModelName } from "../sim/options";
import type { AdapterConfig } from "./adapter-radio";
import { describePasswords, passwordLookup } from "./password-list";
import { ADAPTER_CREDENTIALS, ADAPTER_SETTINGS, readSettings } from "./settings-schema";

/**
 * The bms-adapter properties as they arrive from flow JSON or from the scan endpoint's query string
 * (DESIGN 4.8). Numbers may come as strings from the editor or a URL, so every field is parsed here.
 */
export type AdapterSettingsInput = { [K in keyof typeof ADAPTER_SETTINGS]?: unknown };

export type AdapterNodeDef = NodeDef & AdapterSettingsInput;

/** The bms-adapter credentials as Node-RED hands them to the node (`this.credentials`). */
export type AdapterCredentialsInput = { [K in keyof typeof ADAPTER_CREDENTIALS]?: unknown };

export interface AdapterSettings {
  adapter: AdapterConfig;
  options: Omit<PoolOptions, "log">;
  /** What the credential sets, in words for the log (never a password). */
  passwords: string;
}

const POOL_FIELDS = [
  "idleTimeout",
  "keepOpen",
  "sweepInterval",
  "connectTimeout",
  "commandTimeout",
  "maxLinks",
] as const;
const SIMULATOR_FIELDS = ["simBatteries", "simCells", "simFaults", "simLatency", "simInHost", "simPassword"] as const;

/**
 * Turns raw settings and credentials into the adapter choice and pool options, or throws one INVALID_INPUT BmsError
 * naming every bad field (a blank field takes its default; a bad module password is named by its entry and address,
 * never quoted). The simulator's fields are read only when the simulator is chosen, the HCI device only when it is
 * not. The module passwords go to the pool only, never into the adapter choice: an adapter host child never sees them.
 * The pool is never created from settings that fail here.
 */
export function parseAdapterSettings(
  input: AdapterSettingsInput,
  credentials: AdapterCredentialsInput = {},
): AdapterSettings {
  const radio = readSettings(ADAPTER_SETTINGS, input, ["transport"]);
  const pool = readSettings(ADAPTER_SETTINGS, input, POOL_FIELDS);
  const secret = readSettings(ADAPTER_CREDENTIALS, credentials, ["password"]);
  const p = pool.values;
  const options: Omit<PoolOptions, "log"> = {
    idleTimeoutMs: p.idleTimeout * 1000,
    keepOpen: p.keepOpen,
    sweepIntervalMs: p.sweepInterval * 1000,
    connectTimeoutMs: p.connectTimeout * 1000,
    commandTimeoutMs: p.commandTimeout * 1000,
    maxLinks: p.maxLinks,
    modulePassword: passwordLookup(secret.values.password),
  };
  const passwords = describePasswords(secret.values.password);
  const shared = [...radio.problems, ...pool.problems, ...secret.problems];
  if (radio.values.transport !== "simulator") {
    const hci = readSettings(ADAPTER_SETTINGS, input, ["hciDevice"]);
    refuseAny([...shared, ...hci.problems]);
    return { adapter: { transport: "hci", hciDevice: hci.values.hciDevice }, options, passwords };
  }
  const sim = readSettings(ADAPTER_SETTINGS, input, SIMULATOR_FIELDS);
  refuseAny([...shared, ...sim.problems]);
  const s = sim.values;
  const adapter: AdapterConfig = {
    transport: "simulator",
    simulator: {
      batteries: s.simBatteries,
      cells: s.simCells,
      faults: s.simFaults as FaultProfileName,
      latency: s.simLatency as LatencyModelName,
      // Blank = modules without FF AA; otherwise the rule the FF AA encoders apply, so the simulator can be opened.
      ...(s.simPassword === "" ? {} : { password: s.simPassword }),
    },
    // The simulator behind the same child-process path real hardware takes (tests, and trying that path).
    inHost: s.simInHost,
  };
  return { adapter, options, passwords };
}

function refuseAny(problems: string[]): void {
  if (problems.length === 0) return;
  throw new BmsError("INVALID_INPUT", `Invalid bms-adapter settings: ${problems.join("; ")}`, {
    details: { problems },
  });
}
