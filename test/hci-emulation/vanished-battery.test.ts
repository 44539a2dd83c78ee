import assert from "node:assert/strict";
import { it } from "node:test";
import { HOST_RESTART_EVENT, type HostRestartEvent } from "../../src/ble/host/host-bindings";
import { describeWithTier, outcome, pollUntilData } from "./hci-tier";

describeWithTier("scenario 2: a battery that vanishes without a disconnect", (tier) => {
  it("fails the next poll typed, writes the link off without noble's confirmation, and returns to data", async () => {
    const pool = tier().openPool();
    const restarts: HostRestartEvent[] = [];
    tier().host.on(HOST_RESTART_EVENT, (event: HostRestartEvent) => restarts.push(event));
    for (let round = 1; round <= 3; round++) {
      const battery = await tier().startBattery(1);
      await pollUntilData(pool, battery.address, 5);
      // SIGKILL: the battery's controller is gone, and btvirt (like a radio before its supervision timeout) says
      // nothing. The request goes out on the dead handle and takes the adapter's only ACL buffer.
      await battery.kill();
      const failed = await outcome(pool.poll(battery.address));
      assert.equal(failed.ok, false);
      assert.ok(!failed.ok && ["RESPONSE_TIMEOUT", "LINK_LOST"].includes(failed.error.code), "typed failure");
      assert.notEqual(pool.linkState(battery.address), "idle", "the dead link is not kept");

      // The same battery comes back (btvirt may give it the same address): polls return to data.
      const back = await tier().startBattery(1);
      const outcomes = await pollUntilData(pool, back.address, 5);
      assert.ok(outcomes.at(-1)?.ok);
      assert.equal(restarts.length, round, "noble's HCI state was started afresh after the unconfirmed disconnect");
      assert.match(restarts.at(-1)?.reason ?? "", /never confirmed the disconnect/);
      await pool.reconnect(back.address);
      await back.kill();
    }
  });
});
