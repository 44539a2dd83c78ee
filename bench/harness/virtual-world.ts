import type { SimulatorOptions } from "../../src/sim";
import { installVirtualClock, type VirtualClock } from "../../test/support/virtual-clock";
import { BENCH_CLOCK } from "./bench-clock";
import { BenchWorld } from "./bench-world";

/**
 * Runs `body` in a fresh simulated world on a fresh fake clock, then disposes the simulator and removes the clock
 * whatever happened, so one scenario can never leak timers or state into the next.
 */
export async function inVirtualWorld<T>(
  options: SimulatorOptions,
  body: (clock: VirtualClock, world: BenchWorld) => Promise<T>,
): Promise<T> {
  const clock = installVirtualClock(BENCH_CLOCK);
  try {
    const world = new BenchWorld(options);
    try {
      return await body(clock, world);
    } finally {
      world.dispose();
    }
  } finally {
    clock.uninstall();
  }
}
