import assert from "node:assert/strict";
import { it } from "node:test";
import { describeWithTier } from "./hci-tier";

describeWithTier("smoke", (tier) => {
  it("polls a bleno battery through the adapter host", async () => {
    const battery = await tier().startBattery(1);
    const pool = tier().openPool();
    const polled = await pool.poll(battery.address);
    assert.equal(polled.payload.cellCount, 4);
    console.log(polled.payload.voltage, polled.connection, polled.connectMs);
    const again = await pool.poll(battery.address);
    assert.equal(again.connection, "reused");
  });
});
