import { BleCentral } from "../../src/ble/ble-central";
import { ConnectionPool } from "../../src/pool/connection-pool";
import type { PoolOptions } from "../../src/pool/types";
import { ScriptedRadio, type ScriptedRadioOptions } from "./scripted-radio";
import { type Clock, codeOf, installVirtualClock, type Outcome } from "./virtual-clock";

export { type Clock, codeOf, type Outcome };

/** Everything a pool test needs: a virtual clock, the scripted radio, the real noble inside a central, a pool. */
export interface FakeWorld {
  clock: Clock;
  radio: ScriptedRadio;
  central: BleCentral;
  pool: ConnectionPool;
  /** Drives the virtual clock until the promise settles; returns its outcome without throwing. */
  settle<T>(promise: Promise<T>, maxMs?: number): Promise<Outcome<T>>;
  /** Drives the clock until the promise settles and returns its value (fails the test if it rejects). */
  run<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
  /** Closes the pool under the virtual clock and uninstalls the clock. */
  dispose(): Promise<void>;
}

/** `poolOptions` override the pool's defaults (DEFAULT_POOL_OPTIONS). */
export function fakeWorld(poolOptions: PoolOptions = {}, radioOptions: ScriptedRadioOptions = {}): FakeWorld {
  const time = installVirtualClock({ now: 1_700_000_000_000 });
  const radio = new ScriptedRadio(radioOptions);
  const central = new BleCentral(radio);
  const pool = new ConnectionPool(central, poolOptions);
  return {
    clock: time.clock,
    radio,
    central,
    pool,
    settle: (promise, maxMs = 300_000) => time.settle(promise, maxMs),
    run: (promise, maxMs = 300_000) => time.run(promise, maxMs),
    async dispose() {
      await time.settle(pool.close());
      time.uninstall();
    },
  };
}
