import assert from "node:assert/strict";
import { it } from "node:test";
import { ATT, aclHandle, attOpcode } from "./hci-packets";
import { describeWithTier, outcome, pollUntilData } from "./hci-tier";

describeWithTier("scenario 5: a supervision timeout mid-reply", (tier) => {
  it("fails the poll typed and reconnects", async () => {
    const battery = await tier().startBattery(1);
    const pool = tier().openPool();
    for (let round = 1; round <= 3; round++) {
      await pollUntilData(pool, battery.address, 5);
      // The first notification of the next reply never arrives: the link drops there, reason 0x08.
      tier().adapter.rule({
        direction: "toHost",
        match: (packet) => attOpcode(packet) === ATT.handleValueNotification,
        action: {
          replace: (packet: Buffer) => {
            const handle = aclHandle(packet);
            if (handle !== undefined) setImmediate(() => tier().adapter.current?.supervisionTimeout(handle));
            return [];
          },
        },
        times: 1,
      });
      const failed = await outcome(pool.poll(battery.address));
      assert.ok(!failed.ok, "the poll cannot finish on a dropped link");
      assert.ok(["LINK_LOST", "RESPONSE_TIMEOUT"].includes(failed.error.code), failed.error.code);
      const back = (await pollUntilData(pool, battery.address, 5)).at(-1);
      assert.equal(back?.ok === true ? back.result.connection : undefined, "new");
    }
  });
});
