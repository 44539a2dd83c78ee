import assert from "node:assert/strict";
import { it } from "node:test";
import { HOST_RESTART_EVENT, type HostRestartEvent } from "../../src/ble/host/host-bindings";
import { LE_CONNECTION_COMPLETE, leSubevent } from "./hci-packets";
import { describeWithTier, outcome, pollUntilData } from "./hci-tier";

describeWithTier("scenario 4: a refused or lost connect cancel", (tier) => {
  it("notices noble's wedged connect queue, fails the waiting polls typed and returns to data for every battery", async () => {
    const [first, second] = [await tier().startBattery(1), await tier().startBattery(2)];
    const pool = tier().openPool({ connectTimeoutMs: 1_500 });
    const restarts: HostRestartEvent[] = [];
    tier().host.on(HOST_RESTART_EVENT, (event: HostRestartEvent) => restarts.push(event));
    for (let round = 1; round <= 3; round++) {
      // The LE Connection Complete is lost: noble's connect stays pending, our connect timeout cancels it, and btvirt
      // (like a controller whose connect already completed) answers LE Create Connection Cancel with Command
      // Disallowed. No connect event ever follows, so noble would queue every later connect behind this one.
      tier().adapter.rule({
        direction: "toHost",
        match: (packet) => leSubevent(packet) === LE_CONNECTION_COMPLETE,
        action: "drop",
        times: 1,
      });
      const [lost, waiting] = await Promise.all([
        outcome(pool.poll(first.address)),
        outcome(pool.poll(second.address)),
      ]);
      assert.ok(!lost.ok && lost.error.code === "CONNECT_TIMEOUT", "the lost connect times out");
      assert.ok(waiting.ok || waiting.error.code !== undefined, "the poll behind it ends in data or a typed error");
      for (const battery of [first, second]) await pollUntilData(pool, battery.address, 6);
      assert.equal(restarts.length, round);
      assert.match(restarts.at(-1)?.reason ?? "", /never answered the cancel/);
      await pool.reconnect(first.address);
      await pool.reconnect(second.address);
    }
  });
});
