import assert from "node:assert/strict";
import { it } from "node:test";
import { describeWithTier, outcome, pollUntilData } from "./hci-tier";

describeWithTier("scenario 6: the adapter goes away and comes back", (tier) => {
  it("fails polls with ADAPTER_OFF while it is gone, then binds a fresh socket and returns to data", async () => {
    const battery = await tier().startBattery(1);
    const pool = tier().openPool();
    for (let round = 1; round <= 3; round++) {
      await pollUntilData(pool, battery.address, 5);
      // Unplugged: the HCI socket closes and isDevUp() turns false; a socket bound to the old device never works
      // again, so only a fresh adapter host can reach the adapter once it is back.
      await tier().adapter.unplug();
      const codes = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const failed = await outcome(pool.poll(battery.address));
        assert.ok(!failed.ok, "no data without an adapter");
        codes.add(failed.error.code);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      assert.ok(codes.has("ADAPTER_OFF") || codes.has("LINK_LOST"), [...codes].join());
      for (const code of codes) assert.ok(["ADAPTER_OFF", "LINK_LOST", "ADAPTER_UNAVAILABLE"].includes(code), code);
      await tier().adapter.plugIn();
      const back = await pollUntilData(pool, battery.address, 20);
      assert.ok(back.at(-1)?.ok);
    }
  });
});
