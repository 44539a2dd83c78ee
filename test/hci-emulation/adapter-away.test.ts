import assert from "node:assert/strict";
import { it } from "node:test";
import { describeWithTier, nextAdapterState, outcome, pollUntilData } from "./hci-tier";

describeWithTier("scenario 6: the adapter goes away and comes back", (tier) => {
  it("fails polls with ADAPTER_OFF while it is gone, then binds a fresh socket and returns to data", async () => {
    const battery = await tier().startBattery(1);
    const pool = tier().openPool();
    for (let round = 1; round <= 3; round++) {
      await pollUntilData(pool, battery.address, 5);
      // Unplugged: the HCI socket closes and isDevUp() turns false; a socket bound to the old device never works
      // again, so only a fresh adapter host can reach the adapter once it is back.
      const off = nextAdapterState(tier().central, (state) => state !== "poweredOn");
      await tier().adapter.unplug();
      await off;
      const failed = await outcome(pool.poll(battery.address));
      assert.ok(!failed.ok && failed.error.code === "ADAPTER_OFF", failed.ok ? "data" : failed.error.code);
      const on = nextAdapterState(tier().central, (state) => state === "poweredOn");
      await tier().adapter.plugIn();
      await on;
      const back = await pollUntilData(pool, battery.address, 5);
      assert.ok(back.at(-1)?.ok);
    }
  });
});
