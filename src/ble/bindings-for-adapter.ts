import { SimulatedBindings } from "../sim";
import type { AdapterConfig } from "./adapter-config";
import type { NobleBindings } from "./noble-bindings";
import { UnavailableBindings } from "./unavailable-bindings";

/**
 * The noble bindings for an adapter setting: the in-process simulator, or the adapter host child process for a
 * real HCI adapter (and for the simulator run inside the host, which covers the IPC path in tests).
 */
export function createBindingsForAdapter(config: AdapterConfig): NobleBindings {
  if (config.transport === "simulator" && !config.inHost) return new SimulatedBindings(config.simulator);
  // Until the adapter host lands, both paths report the radio as unavailable through the regular event.
  return new UnavailableBindings("the HCI adapter host is not available in this build");
}
