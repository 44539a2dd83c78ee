import FakeTimers from "@sinonjs/fake-timers";

/**
 * The one virtual clock of the tests and the benchmarks: the simulator's latency, the pool's timeouts and sweeper and
 * our pollers all run on it, so hours of simulated time take seconds and every time read from it is deterministic.
 * nextTick and queueMicrotask stay real: promises must keep settling between timers or nothing would progress.
 */
export type Clock = ReturnType<typeof FakeTimers.install>;
type FakeMethods = NonNullable<NonNullable<Parameters<typeof FakeTimers.install>[0]>["toFake"]>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface VirtualClockOptions {
  /** The clock's start (ms since the epoch): a fixed date makes dates derived from it repeat run to run. */
  now?: number;
  /**
   * Keep setImmediate real: Node-RED delivers messages with it, so a test of our nodes lets those deliveries run
   * between steps of simulated time (the radio is then on `realistic` latency, whose timers are all timeouts).
   */
  realImmediate?: boolean;
  /** Also fake performance.now() and process.hrtime, which the benchmarks read latencies from. */
  highResolution?: boolean;
  /** How far one step of `settle` and `until` may move the clock when setImmediate is real (default 5 ms). */
  stepMs?: number;
}

export interface VirtualClock {
  readonly clock: Clock;
  /** Simulated milliseconds since the clock was installed. */
  elapsedMs(): number;
  /**
   * Runs every timer due within the next `ms`, letting promises settle between timers; with real immediates, in steps
   * of `stepMs` with a real turn of the event loop after each.
   */
  advance(ms: number, stepMs?: number): Promise<void>;
  /**
   * Drives the clock until `work` settles and returns its outcome. With faked immediates it runs one timer at a time
   * and fails when none is left while the work still waits (it waits on something outside the simulated world); it
   * fails too when `limitMs` of simulated time pass first (periodic timers such as a sweeper would otherwise keep it
   * going for ever).
   */
  settle<T>(work: Promise<T>, limitMs?: number): Promise<Outcome<T>>;
  /** As settle, returning the work's value or throwing its error. */
  run<T>(work: Promise<T>, limitMs?: number): Promise<T>;
  /** Drives the clock until `predicate` holds (at most `limitMs` of simulated time). */
  until(predicate: () => boolean, what: string, limitMs?: number): Promise<void>;
  uninstall(): void;
}

/** The timers our code and the simulator use, and Date. */
export const FAKED: FakeMethods = [
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "Date",
];

/** Longer than any single operation may take (connect timeout plus backoff plus command timeouts). */
const DEFAULT_LIMIT_MS = 15 * 60 * 1000;

// Captured when this module loads, before any clock is installed: one real turn of the event loop.
const realSetImmediate = globalThis.setImmediate;
const realTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

export interface DriveOptions {
  /** setImmediate is real: step `stepMs` at a time with a real turn of the event loop after each step. */
  realImmediate?: boolean;
  stepMs?: number;
}

/**
 * Drives `clock` until `work` settles and returns its outcome (see VirtualClock.settle): the one loop every test and
 * benchmark drives simulated time with.
 */
export async function settleOn<T>(
  clock: Clock,
  work: Promise<T>,
  limitMs = DEFAULT_LIMIT_MS,
  options: DriveOptions = {},
): Promise<Outcome<T>> {
  const deadline = clock.now + limitMs;
  let outcome: Outcome<T> | undefined;
  work.then(
    (value) => {
      outcome = { ok: true, value };
    },
    (error: unknown) => {
      outcome = { ok: false, error };
    },
  );
  // Work that needs no timer settles here, without moving the clock.
  await realTurn();
  while (outcome === undefined) {
    if (!options.realImmediate && clock.countTimers() === 0) {
      throw new Error("virtual clock stalled: work still pending with no timer left");
    }
    if (clock.now > deadline) throw new Error(`virtual clock: work still pending after ${limitMs} ms`);
    await stepOn(clock, options);
  }
  return outcome;
}

/** One step of simulated time: the next timer, or `stepMs` with a real turn of the event loop after it. */
async function stepOn(clock: Clock, options: DriveOptions): Promise<void> {
  if (!options.realImmediate) {
    // nextAsync runs one timer and then lets the native event loop turn, so promise chains run to their end.
    await clock.nextAsync();
    return;
  }
  await clock.tickAsync(options.stepMs ?? 5);
  await realTurn();
}

export function installVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const toFake: FakeMethods = FAKED.filter(
    (method) => !(options.realImmediate && (method === "setImmediate" || method === "clearImmediate")),
  );
  if (options.highResolution) toFake.push("performance", "hrtime");
  const clock = FakeTimers.withGlobal(globalThis).install({ toFake, now: options.now ?? Date.now() });
  const start = clock.now;
  const stepMs = options.stepMs ?? 5;
  const drive: DriveOptions = { realImmediate: options.realImmediate === true, stepMs };
  const settle = <T>(work: Promise<T>, limitMs = DEFAULT_LIMIT_MS) => settleOn(clock, work, limitMs, drive);

  return {
    clock,
    elapsedMs: () => clock.now - start,
    advance: async (ms, step = stepMs) => {
      if (!options.realImmediate) {
        await clock.tickAsync(ms);
        return;
      }
      for (let waited = 0; waited < ms; waited += step) {
        await clock.tickAsync(Math.min(step, ms - waited));
        await realTurn();
      }
    },
    settle,
    run: async <T>(work: Promise<T>, limitMs?: number) => {
      const outcome = await settle(work, limitMs);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
    until: async (predicate, what, limitMs = DEFAULT_LIMIT_MS) => {
      const deadline = clock.now + limitMs;
      await realTurn();
      while (!predicate()) {
        if (clock.now > deadline) throw new Error(`virtual clock: no ${what} within ${limitMs} ms`);
        if (!options.realImmediate && clock.countTimers() === 0) {
          throw new Error(`virtual clock stalled: waiting for ${what} with no timer left`);
        }
        await stepOn(clock, drive);
      }
    },
    uninstall: () => clock.uninstall(),
  };
}

/** The error code of a failed outcome. */
export function codeOf(outcome: Outcome<unknown>): string | undefined {
  if (outcome.ok) return undefined;
  return (outcome.error as { code?: string }).code;
}
