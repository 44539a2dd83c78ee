import type { VirtualClockOptions } from "../../test/support/virtual-clock";

/**
 * How the benchmarks install the virtual clock (test/support/virtual-clock.ts): a fixed start date, so dates derived
 * from the clock (polledAt, the simulator's physics) repeat run to run, and performance.now() and process.hrtime
 * faked as well, which the latency figures are read from.
 */
export const BENCH_CLOCK: VirtualClockOptions = { now: Date.UTC(2025, 0, 1), highResolution: true };
