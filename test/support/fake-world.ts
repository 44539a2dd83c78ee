import FakeTimers from "@sinonjs/fake-timers";
import { BleCentral } from "../../src/ble/ble-central";
import { ConnectionPool } from "../../src/pool/connection-pool";
import type { PoolOptions } from "../../src/pool/types";
import { ScriptedRadio, type ScriptedRadioOptions } from "./scripted-radio";

export type Clock = ReturnType<typeof FakeTimers.install>;
type FakeMethods = NonNullable<NonNullable<Parameters<typeof FakeTimers.install>[0]>["toFake"]>;

/** Everything a pool test needs: a fake clock, the scripted radio, the real noble inside a central, a pool. */
export interface FakeWorld {
  clock: Clock;
  radio: ScriptedRadio;
  central: BleCentral;
  pool: ConnectionPool;
  /** Drives the fake clock until the promise settles; returns its outcome without throwing. */
  settle<T>(promise: Promise<T>, maxMs?: number): Promise<Outcome<T>>;
  /** Drives the clock until the promise settles and returns its value (fails the test if it rejects). */
  run<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
  /** Closes the pool under the fake clock and uninstalls the clock. */
  dispose(): Promise<void>;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export const FAKED: FakeMethods = [
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "Date",
];

/** `poolOptions` override the pool's defaults (DEFAULT_POOL_OPTIONS). */
export function fakeWorld(poolOptions: PoolOptions = {}, radioOptions: ScriptedRadioOptions = {}): FakeWorld {
  const clock = FakeTimers.install({ toFake: FAKED, now: 1_700_000_000_000 });
  const radio = new ScriptedRadio(radioOptions);
  const central = new BleCentral(radio);
  const pool = new ConnectionPool(central, poolOptions);
  const settle = <T>(promise: Promise<T>, maxMs = 300_000) => settleOn(clock, promise, maxMs);
  return {
    clock,
    radio,
    central,
    pool,
    settle,
    async run<T>(promise: Promise<T>, maxMs?: number): Promise<T> {
      const outcome = await settle(promise, maxMs);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
    async dispose() {
      await settle(pool.close());
      clock.uninstall();
    },
  };
}

export async function settleOn<T>(clock: Clock, promise: Promise<T>, maxMs: number): Promise<Outcome<T>> {
  let outcome: Outcome<T> | undefined;
  promise.then(
    (value) => {
      outcome = { ok: true, value };
    },
    (error: unknown) => {
      outcome = { ok: false, error };
    },
  );
  for (let waited = 0; outcome === undefined && waited <= maxMs; waited += 5) await clock.tickAsync(5);
  if (outcome === undefined) throw new Error(`promise did not settle within ${maxMs} virtual ms`);
  return outcome;
}

/** The error code of a failed outcome. */
export function codeOf(outcome: Outcome<unknown>): string | undefined {
  if (outcome.ok) return undefined;
  return (outcome.error as { code?: string }).code;
}
