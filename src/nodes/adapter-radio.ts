import type { NobleBindings } from "../bindings/noble-bindings";
import { bindingsFor, type Radio } from "../ble/central-registry";
import { HostBindings } from "../ble/host/host-bindings";
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

/** One noble instance exists per adapter key while pools use it (see src/ble/central-registry). */
export function adapterKey(config: AdapterConfig): string {
  if (config.transport === "hci") return `hci:${config.hciDevice}`;
  const s = config.simulator;
  // The password last: a module password may contain ":" itself.
  const settings = `${s.batteries}:${s.cells}:${s.faults}:${s.latency}:${s.seed ?? "-"}:${s.password ?? ""}`;
  return `sim:${config.inHost ? "host" : "local"}:${settings}`;
}

/**
 * The radio for an adapter setting: the place where the package chooses its noble bindings (DESIGN 7). The simulator
 * runs in this process unless `inHost` asks for the adapter host (which is how tests cover the IPC path); real HCI
 * always runs in the adapter host child, because noble's HCI bindings open their socket at load time, hook
 * SIGINT/exit and may block the event loop while connecting. The simulator is loaded only when a simulated adapter
 * is used, so a real adapter's users never load it (only its option defaults, src/sim/options, which the settings
 * schema reads).
 */
export function adapterRadio(config: AdapterConfig): Radio {
  const inProcess = config.transport === "simulator" && !config.inHost;
  return {
    key: adapterKey(config),
    keptForProcess: config.transport === "hci",
    createBindings: (): NobleBindings => {
      if (!inProcess) return new HostBindings(config);
      const { SimulatedBindings } = require("../sim/simulated-bindings") as typeof import("../sim/simulated-bindings");
      return new SimulatedBindings((config as Extract<AdapterConfig, { transport: "simulator" }>).simulator);
    },
  };
}

/** The bindings behind an adapter's central while its pool exists (the simulator's controls, for tests and the demo). */
export function adapterBindings(config: AdapterConfig): NobleBindings | undefined {
  return bindingsFor(adapterKey(config));
}
