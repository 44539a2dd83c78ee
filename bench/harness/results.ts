import fs from "node:fs";
import path from "node:path";
import type { HciFigures } from "../scenarios/hci";
import type { MachineInfo } from "./machine";

/** The connection strategies compared side by side (bench/policies). */
export const POLICY_NAMES = ["pool", "connectPerPoll", "globalLock", "lockedCache"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface LatencyFigures {
  medianMs: number;
  p95Ms: number;
}

export interface ReliabilityFigures {
  /** Share of poll slots (one per battery per interval) that returned data, 0..1. */
  successRate: number;
  /** Successful connects per battery per simulated day. */
  connectsPerDay: number;
  /** Longest stretch any battery went without a successful poll, in simulated seconds. */
  longestOutageS: number;
}

/**
 * `bench/results/latest.json`. The key names are what tooling and the README read; a figure that could not be
 * measured in this run is null, never left out.
 */
export interface BenchResults {
  machine: MachineInfo;
  durationS: number;
  latency: Record<PolicyName, LatencyFigures> & { linkFloorMs: number };
  round8: Record<PolicyName, { ms: number }>;
  soak48h: Record<PolicyName, ReliabilityFigures>;
  throughput: { poolPollsPerS: number; poolCpuUsPerPoll: number; flowPollsPerS: number | null };
  memory: { bytesPerLink: number; heapGrowthBytes: number; heapTrend: boolean };
  decode: { framesPerS: number };
  /** Through noble's real HCI stack on the emulated controller; null when the emulator cannot be built here. */
  hci: HciFigures | null;
  /** Settings and per-policy detail beyond the contract keys. */
  detail?: Record<string, unknown>;
}

export const RESULTS_PATH = path.join(__dirname, "..", "..", "..", "bench", "results", "latest.json");

export function writeResults(results: BenchResults, file = RESULTS_PATH): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
