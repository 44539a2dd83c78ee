/**
 * Simulated Bluetooth: noble bindings over virtual JBD batteries (DESIGN section 6), for tests, benchmarks and the
 * demo. Use with the real noble: `require("@abandonware/noble/with-bindings")(new SimulatedBindings({...}))`.
 */
export { type BatterySpec, defaultBatterySpec, simAddress } from "./battery-spec";
export { FAULT_PROFILES, type FaultKind, type FaultProfile, resolveFaultProfile } from "./faults";
export { LATENCY_MODELS, type LatencyModel, type MsRange } from "./latency";
export {
  DEFAULT_SIMULATOR_OPTIONS,
  type FaultProfileName,
  type LatencyModelName,
  type SimulatorOptions,
} from "./options";
export { LIMITS, openCircuitVoltage, type PackReadings } from "./pack-physics";
export { DEFAULT_SEED } from "./random";
export { SimWorld, type SimWorldOptions } from "./sim-world";
export { NOTIFICATION_SIZE, SimulatedBindings, type SimulatedBindingsOptions } from "./simulated-bindings";
export type { SimulatorStats } from "./stats";
export { type BatteryState, PHONE_APP, VirtualBattery } from "./virtual-battery";
