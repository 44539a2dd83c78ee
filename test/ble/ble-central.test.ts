import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

test("scan lists advertising batteries and the ones this pool holds (which do not advertise)", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(scriptedAddress(1)));
    const results = await w.run(w.pool.scan(2_000));
    const byAddress = new Map(results.map((r) => [r.address, r]));
    assert.equal(byAddress.get(scriptedAddress(1))?.linked, true);
    assert.equal(byAddress.get(scriptedAddress(2))?.linked, false);
    assert.deepEqual(byAddress.get(scriptedAddress(1))?.recognised, [{ by: "link" }]);
    assert.deepEqual(byAddress.get(scriptedAddress(2))?.recognised[0], { by: "service", service: "ff00" });
    assert.equal(byAddress.get(scriptedAddress(3))?.name, "xiaoxiang BMS 03");
    assert.equal(results.length, 3);
    // The scan was stopped and left no listener on noble.
    assert.equal(w.radio.events.filter((e) => e.type === "scan-stop").length, 2);
  } finally {
    await w.dispose();
  }
});

test("a cancelled connect that completes late anyway is disconnected, and its guard removed", async () => {
  const w = fakeWorld({ connectTimeoutMs: 5_000 });
  try {
    const battery = w.radio.battery(scriptedAddress(1));
    battery.connect = "late";
    battery.connectDelayMs = 8_000;
    const outcome = await w.settle(w.pool.poll(scriptedAddress(1)));
    assert.equal((outcome as { error: { code: string } }).error.code, "CONNECT_TIMEOUT");
    assert.equal(w.central.listenerCounts().orphanGuards, 1);
    await w.clock.tickAsync(5_000);
    assert.equal(battery.connected, false, "the orphan link was disconnected");
    assert.equal(w.radio.count("disconnect"), 1);
    assert.equal(w.central.listenerCounts().orphanGuards, 0);
  } finally {
    await w.dispose();
  }
});
