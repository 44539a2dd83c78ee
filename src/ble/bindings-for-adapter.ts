import { SimulatedBindings } from "../sim";
import type { AdapterConfig } from "./adapter-config";
import { HostBindings } from "./host/host-bindings";
import type { NobleBindings } from "./noble-bindings";

/**
 * The noble bindings for an adapter setting (DESIGN 7). The simulator runs in this process unless `inHost` asks for
 * the adapter host (which is how tests cover the IPC path); real HCI always runs in the adapter host child, because
 * noble's HCI bindings open their socket at load time, hook SIGINT/exit and may block the event loop while
 * connecting.
 */
export function createBindingsForAdapter(config: AdapterConfig): NobleBindings {
  if (config.transport === "simulator" && !config.inHost) return new SimulatedBindings(config.simulator);
  return new HostBindings(config);
}
