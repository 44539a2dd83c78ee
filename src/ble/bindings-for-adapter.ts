import type { AdapterConfig } from "./adapter-config";
import { HostBindings } from "./host/host-bindings";
import type { NobleBindings } from "./noble-bindings";
import { createSimulatorBindings } from "./simulator-bindings";

/**
 * The bindings noble drives for one adapter (DESIGN 7). The simulator runs in this process unless `inHost` asks
 * for the adapter host; real HCI always runs in the adapter host child, because noble's HCI bindings open their
 * socket at load time, hook SIGINT/exit and may block the event loop while connecting.
 */
export function createBindingsForAdapter(config: AdapterConfig): NobleBindings {
  if (config.transport === "simulator" && !config.inHost) return createSimulatorBindings(config.simulator);
  return new HostBindings(config);
}
