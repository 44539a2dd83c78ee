/**
 * Settings of the simulated adapter (DESIGN 4.5 `simBatteries`, `simCells`, `simFaults`, `simLatency`, and
 * `simPassword`).
 */
export type FaultProfileName = "none" | "flaky" | "hostile";
export type LatencyModelName = "realistic" | "instant";

export interface SimulatorOptions {
  /** Number of virtual batteries; battery n (1-based) has address AA:BB:CC:00:00:NN. */
  batteries: number;
  /** Cells per battery, 4..32. */
  cells: number;
  faults: FaultProfileName;
  latency: LatencyModelName;
  /**
   * The FF AA password of every battery's Bluetooth module (6 printable ASCII characters): each module relays nothing
   * until the FF AA handshake with it succeeds on that link. Absent: modules without FF AA, as most are.
   */
  password?: string;
  /** Seed for every random choice, so a run can be repeated exactly. */
  seed?: number;
}

export const DEFAULT_SIMULATOR_OPTIONS: Readonly<SimulatorOptions> = {
  batteries: 3,
  cells: 4,
  faults: "none",
  latency: "realistic",
};
