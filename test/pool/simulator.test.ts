import assert from "node:assert/strict";
import { test } from "node:test";
import { BleCentral } from "../../src/ble/ble-central";
import { ERROR_CODES, isBmsError } from "../../src/errors";
import { type AdapterConfig, adapterRadio } from "../../src/nodes/adapter-radio";
import { createPool } from "../../src/pool";
import { ConnectionPool } from "../../src/pool/connection-pool";
import { type FaultProfile, SimulatedBindings, simAddress } from "../../src/sim";
import { withSimulatedPool } from "../support/simulated-pool";
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

/** The pool over the in-process simulator on a fake clock, one battery; `run` gets both and a poll that never throws. */
async function withFaultyPool(
  faults: Partial<FaultProfile>,
  run: (bindings: SimulatedBindings, poll: () => Promise<{ ok: boolean; code?: string }>) => Promise<void>,
): Promise<void> {
  const simulator = { batteries: 1, cells: 4, faults, latency: "realistic", seed: 5 } as const;
  await withSimulatedPool(simulator, { keepOpen: true }, async ({ time, bindings, pool }) => {
    const poll = async () => {
      const outcome = await time.settle(pool.poll(simAddress(1)), 120_000);
      if (outcome.ok) return { ok: true };
      assert.ok(isBmsError(outcome.error), `untyped failure: ${String(outcome.error)}`);
      return { ok: false, code: outcome.error.code };
    };
    await run(bindings, async () => {
      const result = await poll();
      await time.advance(10_000);
      return result;
    });
  });
}

test("a link lost without a word restarts the simulated adapter, as the adapter host does, and polls return to data", async () => {
  await withFaultyPool({ linkDropMeanMs: 60_000, silentLinkLoss: 1 }, async (bindings, poll) => {
    assert.ok((await poll()).ok);
    for (let waited = 0; bindings.stats().faults.silentLinkLoss === 0 && waited < 100; waited++) await poll();
    assert.equal(bindings.stats().faults.silentLinkLoss, 1);
    // The poll on the silent link fails typed; its disconnect is never confirmed, so the central restarts the adapter.
    const failed = await poll();
    assert.deepEqual(failed, { ok: false, code: "RESPONSE_TIMEOUT" });
    assert.equal(bindings.stats().restarts, 1);
    bindings.setFaults("none");
    assert.ok((await poll()).ok);
  });
});

test("a cancel the simulated controller never answers restarts the adapter, and polls return to data", async () => {
  await withFaultyPool({ connectHang: 1, cancelUnanswered: 1 }, async (bindings, poll) => {
    assert.deepEqual(await poll(), { ok: false, code: "CONNECT_TIMEOUT" });
    assert.equal(bindings.stats().faults.cancelUnanswered, 1);
    assert.equal(bindings.stats().restarts, 1, "noble's connect queue was wedged: the central asked for a fresh stack");
    bindings.setFaults("none");
    assert.ok((await poll()).ok);
  });
});
