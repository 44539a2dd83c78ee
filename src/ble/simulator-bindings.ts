import type { SimulatorOptions } from "../sim/options";
import type { NobleBindings } from "./noble-bindings";

/** The simulator's bindings as the adapter layer uses them: noble bindings that can be torn down. */
export interface DisposableBindings extends NobleBindings {
  dispose(): void;
}

interface SimulatorModule {
  SimulatedBindings: new (options: SimulatorOptions) => DisposableBindings;
}

/** Creates simulated noble bindings (src/sim) for the in-process path and for the adapter host child. */
export function createSimulatorBindings(options: SimulatorOptions): DisposableBindings {
  // Loaded on demand: the sim is only needed when a simulator transport is chosen.
  const sim = require("../sim") as SimulatorModule;
  return new sim.SimulatedBindings(options);
}
