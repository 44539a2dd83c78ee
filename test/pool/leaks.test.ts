import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

const CYCLES = 10_000;

test(`${CYCLES} connect/poll/disconnect cycles leave listener counts where they started`, async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on("warning", onWarning);
  const w = fakeWorld(
    { idleTimeoutMs: 0, commandTimeoutMs: 500, connectTimeoutMs: 1_000 },
    { batteries: 2, connectMs: 1, discoverMs: 1, replyMs: 1, advertiseMs: 1 },
  );
  try {
    const a1 = scriptedAddress(1);
    const a2 = scriptedAddress(2);
    await w.run(w.pool.poll(a1));
    await w.clock.tickAsync(5);
    const before = w.central.listenerCounts();
    for (let i = 0; i < CYCLES; i++) {
      // Alternate batteries and mix in the failure paths that add and remove listeners.
      const address = i % 2 === 0 ? a1 : a2;
      if (i % 100 === 50) w.radio.dropLink(address);
      if (i % 250 === 125) await w.run(w.pool.reconnect(address));
      await w.settle(w.pool.poll(address), 10_000);
    }
    await w.clock.tickAsync(10);
    const after = w.central.listenerCounts();
    assert.deepEqual(after, before);
    assert.equal(w.pool.diagnostics().openLinks, 0);
    assert.ok(w.pool.linkInfo(a1).connects >= CYCLES / 2);
    assert.deepEqual(
      warnings.filter((warning) => warning.name === "MaxListenersExceededWarning"),
      [],
    );
  } finally {
    process.off("warning", onWarning);
    await w.dispose();
  }
});
