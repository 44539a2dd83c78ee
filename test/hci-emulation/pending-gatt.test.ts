import assert from "node:assert/strict";
import { it } from "node:test";
import { ATT, aclHandle, attOpcode, LE_CONNECTION_COMPLETE, leConnectionComplete, leSubevent } from "./hci-packets";
import { describeWithTier, outcome, pollUntilData } from "./hci-tier";

describeWithTier("scenario 3: a GATT operation pending when the link dies", (tier) => {
  it("reconnects to the same address without sending anything twice or hanging in subscribe", async () => {
    const pool = tier().openPool();
    const sent = new Map<number, string[]>();
    // Records every ATT request the host sends, per link, without changing anything.
    tier().adapter.rule({
      direction: "toController",
      match: (packet) => {
        const handle = aclHandle(packet);
        const opcode = attOpcode(packet);
        if (handle !== undefined && opcode !== undefined) {
          sent.set(handle, [...(sent.get(handle) ?? []), packet.subarray(9).toString("hex")]);
        }
        return false;
      },
      action: "drop",
    });
    for (let round = 1; round <= 3; round++) {
      const battery = await tier().startBattery(1);
      await pollUntilData(pool, battery.address, 5);
      // The battery dies while the next poll waits for its reply.
      const killed = new Promise<void>((resolve) => {
        tier().adapter.rule({
          direction: "toHost",
          match: (packet) => attOpcode(packet) === ATT.handleValueNotification,
          action: {
            replace: () => {
              void battery.kill().then(resolve);
              return [];
            },
          },
          times: 1,
        });
      });
      const failed = await outcome(pool.poll(battery.address));
      await killed;
      assert.ok(!failed.ok, "no reply from a dead battery");
      const back = await tier().startBattery(1);
      let newLink: number | undefined;
      const removeWatch = tier().adapter.rule({
        direction: "toHost",
        match: (packet) => {
          if (leSubevent(packet) === LE_CONNECTION_COMPLETE) newLink = leConnectionComplete(packet)?.handle;
          return false;
        },
        action: "drop",
      });
      await pollUntilData(pool, back.address, 5);
      removeWatch();
      assert.ok(newLink !== undefined);
      const requests = sent.get(newLink) ?? [];
      const cccdWrites = requests.filter((hex) => hex.startsWith("12") && hex.endsWith("0100"));
      assert.equal(cccdWrites.length, 1, `the CCCD is written once on the new link: ${requests.join(" ")}`);
      const discovery = requests.filter((hex) => hex.startsWith("10"));
      assert.equal(new Set(discovery).size, discovery.length, `no discovery request twice: ${discovery.join(" ")}`);
      await pool.reconnect(back.address);
      await back.kill();
    }
  });
});
