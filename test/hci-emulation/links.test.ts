import assert from "node:assert/strict";
import { it } from "node:test";
import type { LinkStateEvent } from "../../src/pool";
import { describeWithTier, outcome, pollsOverKeptAndIdleLinks, pollUntilData, SHORT_IDLE } from "./hci-tier";

describeWithTier("scenario 1: polls, kept and idle links, four batteries on two links, MOS, the phone app", (tier) => {
  it("polls, keeps the link, closes it when idle and reconnects", async () => {
    const battery = await tier().startBattery(1);
    await pollsOverKeptAndIdleLinks(tier().openPool(SHORT_IDLE), battery.address, 3);
    const keepOpen = tier().openPool({ keepOpen: true, idleTimeoutMs: 100, sweepIntervalMs: 50 });
    await keepOpen.poll(battery.address);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await keepOpen.poll(battery.address)).connection, "reused", "keep open ignores the idle timeout");
    await keepOpen.close();
  });

  it("reads four batteries over at most two links at a time, each with its own values", async () => {
    const batteries = await Promise.all([2, 3, 4].map((index) => tier().startBattery(index)));
    const pool = tier().openPool({ maxLinks: 2 });
    let open = 0;
    let mostOpen = 0;
    pool.on("state", (event: LinkStateEvent) => {
      if (event.state === "idle" || event.state === "busy" || event.state === "closing") return;
      open = tier().central.openLinks;
      mostOpen = Math.max(mostOpen, open);
    });
    for (let round = 1; round <= 3; round++) {
      const results = await Promise.all(batteries.map((battery) => outcome(pool.poll(battery.address))));
      for (const result of results) assert.ok(result.ok, result.ok ? "" : result.error.code);
      assert.ok(tier().central.openLinks <= 2, `open links ${tier().central.openLinks}`);
    }
    assert.ok(mostOpen <= 2, `at most two links, saw ${mostOpen}`);
    const states = await Promise.all(batteries.map((battery) => battery.state()));
    for (const [i, battery] of batteries.entries()) {
      const polled = await pool.poll(battery.address);
      assert.equal(polled.payload.nominalCapacity, states[i]?.state.nominalAh, "values are that battery's own");
    }
  });

  it("switches the MOSFETs and reads the state back from the battery", async () => {
    const battery = await tier().startBattery(1);
    const pool = tier().openPool();
    for (let round = 1; round <= 3; round++) {
      const off = await pool.setMos(battery.address, { charge: false });
      assert.equal(off.state.charge, false);
      assert.equal((await battery.state()).state.mosLock.charge, true, "the virtual battery holds the lock");
      const on = await pool.setMos(battery.address, { charge: true });
      assert.equal(on.state.charge, true);
      assert.equal((await battery.state()).state.mosLock.charge, false);
    }
  });

  it("runs the FF AA handshake with the module password on every new link, then polls", async () => {
    const battery = await tier().startBattery(2, { password: "Zq7#x!" });
    const pool = tier().openPool({ modulePassword: () => "Zq7#x!" });
    for (let link = 1; link <= 2; link++) {
      const polled = await pool.poll(battery.address);
      assert.equal(polled.connection, "new");
      assert.equal(polled.payload.cellCount, 4);
      assert.equal((await pool.poll(battery.address)).connection, "reused");
      assert.equal((await battery.state()).handshakes, link, "one handshake per link, none on a kept one");
      await pool.reconnect(battery.address);
    }
  });

  it("the phone app holding a battery gives NOT_FOUND; release lets it in, and data follows when it lets go", async () => {
    const battery = await tier().startBattery(1);
    const pool = tier().openPool({ scanTimeoutMs: 800 });
    for (let round = 1; round <= 3; round++) {
      await pollUntilData(pool, battery.address, 5);
      await pool.release(battery.address, 600_000);
      const held = await outcome(pool.poll(battery.address));
      assert.ok(!held.ok && held.error.code === "RELEASED", held.ok ? "data" : held.error.code);
      const app = await tier().phoneAppHolding(battery.address);
      // The hold ends on request, not on a timer that the phone app's start-up might outlast on a busy machine.
      await pool.reconnect(battery.address);
      const busy = await outcome(pool.poll(battery.address));
      assert.ok(!busy.ok && busy.error.code === "NOT_FOUND", busy.ok ? "data" : busy.error.code);
      await app.letGo();
      await pool.reconnect(battery.address);
      await pollUntilData(pool, battery.address, 5);
    }
  });
});
