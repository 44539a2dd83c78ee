import type { SimulatorOptions } from "../sim/options";

/**
 * Which radio a bms-adapter config node uses (DESIGN 4.5, 7).
 * - `hci`: a real Bluetooth adapter; the HCI bindings run in the adapter host child process (one per device).
 * - `simulator`: virtual batteries; in-process by default, or inside the adapter host when `inHost` is set
 *   (tests use that to cover the IPC path for real).
 */
export type AdapterConfig =
  | { transport: "hci"; hciDevice: number }
  | { transport: "simulator"; simulator: SimulatorOptions; inHost?: boolean };

/** One noble instance exists per adapter key for the life of the process (noble has no teardown). */
export function adapterKey(config: AdapterConfig): string {
  if (config.transport === "hci") return `hci:${config.hciDevice}`;
  const s = config.simulator;
  // The password last: a module password may contain ":" itself.
  const settings = `${s.batteries}:${s.cells}:${s.faults}:${s.latency}:${s.seed ?? "-"}:${s.password ?? ""}`;
  return `sim:${config.inHost ? "host" : "local"}:${settings}`;
}
