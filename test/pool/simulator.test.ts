import assert from "node:assert/strict";
import { test } from "node:test";
import { BleCentral } from "../../src/ble/ble-central";
import { ERROR_CODES, isBmsError } from "../../src/errors";
import { type AdapterConfig, adapterRadio } from "../../src/nodes/adapter-radio";
import { createPool } from "../../src/pool";
import { ConnectionPool } from "../../src/pool/connection-pool";
import { SimulatedBindings, simAddress } from "../../src/sim";
import { installVirtualClock } from "../support/virtual-clock";

test("createPool over the in-process simulator polls three batteries, the fff0 variant included", async () => {
  const time = installVirtualClock();
  const simulator: AdapterConfig = {
    transport: "simulator",
    simulator: { batteries: 3, cells: 8, faults: "none", latency: "instant", seed: 7 },
  };
  const pool = createPool(adapterRadio(simulator));
  try {
    const outcome = await time.settle(Promise.all([1, 2, 3].map((n) => pool.poll(simAddress(n)))), 60_000);
    assert.ok(outcome.ok, String(!outcome.ok && outcome.error));
    for (const result of outcome.value) {
      assert.equal(result.payload.cellCount, 8);
      assert.equal(result.payload.cellVoltages.length, 8);
    }
  } finally {
    await time.settle(pool.close(), 60_000);
    time.uninstall();
  }
});

test("two simulated hours under the flaky profile: every poll ends in a payload or a typed error, nothing leaks", async () => {
  const time = installVirtualClock({ now: Date.UTC(2026, 5, 1) });
  const clock = time.clock;
  const bindings = new SimulatedBindings({ batteries: 3, cells: 4, faults: "flaky", latency: "realistic", seed: 11 });
  const central = new BleCentral(bindings);
  const pool = new ConnectionPool(central);
  const codes = new Map<string, number>();
  let payloads = 0;
  try {
    await clock.tickAsync(10);
    const listenersBefore = central.listenerCounts();
    const addresses = [1, 2, 3].map(simAddress);
    for (let round = 0; round < (2 * 3600) / 5; round++) {
      const started = Date.now();
      const outcome = await time.settle(Promise.allSettled(addresses.map((a) => pool.poll(a))), 120_000);
      assert.ok(outcome.ok);
      for (const result of outcome.value) {
        if (result.status === "fulfilled") {
          payloads++;
          assert.equal(result.value.payload.cellVoltages.length, result.value.payload.cellCount);
        } else {
          assert.ok(isBmsError(result.reason), `untyped failure: ${String(result.reason)}`);
          assert.ok(ERROR_CODES.includes(result.reason.code));
          codes.set(result.reason.code, (codes.get(result.reason.code) ?? 0) + 1);
        }
      }
      const elapsed = Date.now() - started;
      if (elapsed < 5_000) await clock.tickAsync(5_000 - elapsed);
    }
    const stats = bindings.stats();
    // Links are reused: far fewer connects than polls.
    assert.ok(stats.connects < payloads / 5, `${stats.connects} connects for ${payloads} good polls`);
    assert.ok(payloads > 0.8 * 3 * ((2 * 3600) / 5), `only ${payloads} good polls`);
    await time.settle(pool.close(), 60_000);
    await clock.tickAsync(100);
    assert.deepEqual(central.listenerCounts().noble, listenersBefore.noble);
    assert.equal(central.openLinks, 0);
    assert.equal(pool.diagnostics().timers, 0);
  } finally {
    bindings.dispose();
    time.uninstall();
  }
});
