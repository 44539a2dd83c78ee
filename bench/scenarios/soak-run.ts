import type { BmsPayload } from "../../src/protocol";
import type { FaultProfileName } from "../../src/sim";
import { installVirtualClock } from "../../test/support/virtual-clock";
import { BENCH_CLOCK } from "../harness/bench-clock";
import { BenchWorld } from "../harness/bench-world";
import { checkLeaks, type LeakReport } from "../harness/leak-check";
import { poolPolicy } from "../policies/policy";
import { type ReliabilityReport, runReliability } from "./reliability";

export interface SoakOptions {
  batteries: number;
  cells: number;
  hours: number;
  intervalMs: number;
  faults: FaultProfileName;
  seed: number;
  onPayload?(address: string, payload: BmsPayload): void;
}

export interface SoakOutcome {
  report: ReliabilityReport;
  /** Checked after the pool closed and the simulator was disposed. */
  leaks: LeakReport;
}

/**
 * Our pool with default options over a realistic, faulty simulator for `hours` of virtual time, then closed,
 * then checked for anything left behind. Shared by `npm run soak` and the short soak inside `npm test`.
 */
export async function runSoak(options: SoakOptions): Promise<SoakOutcome> {
  const clock = installVirtualClock(BENCH_CLOCK);
  try {
    const world = new BenchWorld({
      batteries: options.batteries,
      cells: options.cells,
      faults: options.faults,
      latency: "realistic",
      seed: options.seed,
    });
    let report: ReliabilityReport;
    try {
      report = await runReliability({
        clock,
        policy: poolPolicy(world.makePool, { batteries: options.batteries }),
        addresses: world.addresses,
        durationMs: options.hours * 3600_000,
        intervalMs: options.intervalMs,
        connectCounts: () => world.connectCounts(),
        ...(options.onPayload === undefined ? {} : { onPayload: options.onPayload }),
      });
    } finally {
      world.dispose();
    }
    return { report, leaks: checkLeaks(clock, world) };
  } finally {
    clock.uninstall();
  }
}
