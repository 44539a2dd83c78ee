import assert from "node:assert/strict";
import { it } from "node:test";
import { describeOutcome, describeWithTier, outcome, pollUntilData } from "./hci-tier";

describeWithTier("a battery that vanishes without a disconnect", (tier) => {
  it("fails the next poll typed, writes the link off and returns to data once the battery is back", async () => {
    const first = await tier().startBattery(1);
    const pool = tier().openPool();
    assert.equal((await pool.poll(first.address)).payload.cellCount, 4);
    await first.kill();
    const failed = await outcome(pool.poll(first.address));
    console.log("after kill:", describeOutcome(failed), failed.ok ? "" : failed.error.message);
    const back = await tier().startBattery(1);
    console.log("back at", back.address, "was", first.address);
    const outcomes = await pollUntilData(pool, back.address, 8);
    console.log(
      outcomes.map(describeOutcome),
      outcomes.map((o) => (o.ok ? "" : o.error.message)),
    );
  });
});
