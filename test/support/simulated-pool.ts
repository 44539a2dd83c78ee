import assert from "node:assert/strict";
import { BleCentral } from "../../src/ble/ble-central";
import { ConnectionPool } from "../../src/pool/connection-pool";
import type { PoolOptions } from "../../src/pool/types";
import { SimulatedBindings, type SimulatedBindingsOptions } from "../../src/sim";
import { installVirtualClock, type VirtualClock } from "./virtual-clock";

export interface SimulatedPool {
  time: VirtualClock;
  bindings: SimulatedBindings;
  central: BleCentral;
  pool: ConnectionPool;
}

/**
 * A pool over the in-process simulator through the real noble, on the virtual clock (starting 2026-06-01 UTC): `run`
 * gets them all; afterwards the pool is closed and must have left no link and no timer behind.
 */
export async function withSimulatedPool(
  simulator: SimulatedBindingsOptions,
  options: PoolOptions,
  run: (world: SimulatedPool) => Promise<void>,
): Promise<void> {
  const time = installVirtualClock({ now: Date.UTC(2026, 5, 1) });
  const bindings = new SimulatedBindings(simulator);
  const central = new BleCentral(bindings);
  const pool = new ConnectionPool(central, options);
  try {
    await run({ time, bindings, central, pool });
    await time.settle(pool.close(), 60_000);
    assert.equal(central.openLinks, 0);
    assert.equal(pool.diagnostics().timers, 0);
  } finally {
    bindings.dispose();
    time.uninstall();
  }
}
