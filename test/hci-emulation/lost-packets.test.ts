import assert from "node:assert/strict";
import { it } from "node:test";
import { ATT, attOpcode, EVENT, eventCode } from "./hci-packets";
import { describeWithTier, outcome, pollUntilData } from "./hci-tier";

describeWithTier("scenario 7: lost notifications and withheld Number Of Completed Packets", (tier) => {
  it("ends in RESPONSE_TIMEOUT, never a stuck link, and returns to data", async () => {
    const battery = await tier().startBattery(1);
    const pool = tier().openPool();
    const faults = [
      { direction: "toHost" as const, match: (p: Buffer) => attOpcode(p) === ATT.handleValueNotification },
      { direction: "toHost" as const, match: (p: Buffer) => eventCode(p) === EVENT.numberOfCompletedPackets },
    ];
    for (let round = 1; round <= 3; round++) {
      for (const fault of faults) {
        await pollUntilData(pool, battery.address, 5);
        const remove = tier().adapter.rule({ ...fault, action: "drop" });
        const failed = await outcome(pool.poll(battery.address));
        remove();
        assert.ok(!failed.ok && failed.error.code === "RESPONSE_TIMEOUT", !failed.ok ? failed.error.code : "data");
        assert.notEqual(pool.linkState(battery.address), "idle", "the silent link was closed");
        const back = (await pollUntilData(pool, battery.address, 5)).at(-1);
        assert.equal(back?.ok === true ? back.result.connection : undefined, "new");
      }
    }
  });
});
