import type { VirtualClock } from "../../test/support/virtual-clock";
import type { BenchWorld, ListenerCounts } from "./bench-world";

export interface LeakReport {
  /** Timers still scheduled on the fake clock. */
  timers: number;
  /** Links the central still holds. */
  openLinks: number;
  /** Listener counts now, and what they were before any pool existed. */
  listeners: ListenerCounts;
  baseline: ListenerCounts;
  /**
   * Guards BleCentral keeps on peripherals whose connect it cancelled (a `connect` listener that disconnects a late
   * completion). By design at most one per battery, replaced by the next attempt; they outlive a closed pool when
   * the radio never answers the cancelled connect. Bounded, so not a leak that grows, but reported.
   */
  orphanGuards: number;
  leaked: boolean;
}

/**
 * What a closed pool may leave behind: nothing. Call after the pool is closed and the simulator disposed; the
 * central lives on (one per adapter for the life of the process), so its listeners must be back at the baseline.
 */
export function checkLeaks(clock: VirtualClock, world: BenchWorld): LeakReport {
  const { orphanGuards, ...counted } = world.central.listenerCounts();
  const { orphanGuards: _baselineGuards, ...baseline } = world.listenerBaseline;
  const timers = clock.clock.countTimers();
  const openLinks = world.central.openLinks;
  const listenersBack = (Object.keys(baseline) as (keyof typeof baseline)[]).every(
    (key) => counted[key] <= baseline[key],
  );
  const guardsBounded = orphanGuards <= world.addresses.length;
  return {
    timers,
    openLinks,
    listeners: { ...counted, orphanGuards },
    baseline: { ...baseline, orphanGuards: _baselineGuards },
    orphanGuards,
    leaked: timers !== 0 || openLinks !== 0 || !listenersBack || !guardsBounded,
  };
}
