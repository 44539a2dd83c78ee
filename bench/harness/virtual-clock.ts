import FakeTimers, { type Clock } from "@sinonjs/fake-timers";

/**
 * Virtual time for the long runs: the simulator's latency, the pool's timeouts and sweeper and our pollers all
 * run on one fake clock, so 48 simulated hours take seconds and every figure read from the clock is deterministic.
 * nextTick and queueMicrotask stay real: promises must keep settling between timers or nothing would progress.
 */
export interface VirtualClock {
  readonly clock: Clock;
  /** Simulated milliseconds since the clock was installed. */
  elapsedMs(): number;
  /** Runs every timer due within the next `ms`, letting promises settle between timers. */
  advance(ms: number): Promise<void>;
  /**
   * Runs timers one at a time until `work` settles, and returns its outcome. Throws when no timer is left but the
   * work is still pending (it waits on something outside the simulated world), or when `limitMs` of simulated
   * time pass first (periodic timers such as a sweeper would otherwise keep the loop going for ever).
   */
  settle<T>(work: Promise<T>, limitMs?: number): Promise<T>;
  uninstall(): void;
}

/** A fixed start date, so dates derived from the clock (polledAt, sim physics) repeat run to run. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2025, 0, 1);

/** Longer than any single operation may take (connect timeout plus backoff plus command timeouts). */
const SETTLE_LIMIT_MS = 15 * 60 * 1000;

export function installVirtualClock(): VirtualClock {
  const clock = FakeTimers.withGlobal(globalThis).install({
    now: VIRTUAL_EPOCH_MS,
    toFake: [
      "setTimeout",
      "clearTimeout",
      "setInterval",
      "clearInterval",
      "setImmediate",
      "clearImmediate",
      "Date",
      "performance",
      "hrtime",
    ],
  });
  const start = clock.now;
  return {
    clock,
    elapsedMs: () => clock.now - start,
    advance: async (ms) => {
      await clock.tickAsync(ms);
    },
    settle: async <T>(work: Promise<T>, limitMs = SETTLE_LIMIT_MS) => {
      const deadline = clock.now + limitMs;
      let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
      work.then(
        (value) => {
          outcome = { ok: true, value };
        },
        (error: unknown) => {
          outcome = { ok: false, error };
        },
      );
      // One nextAsync runs one timer and then lets the native event loop turn, so promise chains run to their end.
      await clock.nextAsync();
      while (outcome === undefined) {
        if (clock.countTimers() === 0) throw new Error("virtual clock stalled: work pending with no timer left");
        if (clock.now > deadline) throw new Error(`virtual clock: work still pending after ${limitMs} ms`);
        await clock.nextAsync();
      }
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
    uninstall: () => clock.uninstall(),
  };
}
