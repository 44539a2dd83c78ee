import type { BenchWorld, ListenerCounts } from "./bench-world";
import type { VirtualClock } from "./virtual-clock";

export interface LeakReport {
  /** Timers still scheduled on the fake clock. */
  timers: number;
  /** Links the central still holds. */
  openLinks: number;
  /** Listener counts now, and what they were before any pool existed. */
  listeners: ListenerCounts;
  baseline: ListenerCounts;
  leaked: boolean;
}

/**
 * What a closed pool may leave behind: nothing. Call after the pool is closed and the simulator disposed; the
 * central lives on (one per adapter for the life of the process), so its listeners must be back at the baseline.
 */
export function checkLeaks(clock: VirtualClock, world: BenchWorld): LeakReport {
  const timers = clock.clock.countTimers();
  const openLinks = world.central.openLinks;
  const listeners = world.central.listenerCounts();
  const baseline = world.listenerBaseline;
  const listenersBack = (Object.keys(baseline) as (keyof ListenerCounts)[]).every(
    (key) => listeners[key] <= baseline[key],
  );
  return { timers, openLinks, listeners, baseline, leaked: timers !== 0 || openLinks !== 0 || !listenersBack };
}
