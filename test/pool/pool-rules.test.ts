import assert from "node:assert/strict";
import { test } from "node:test";
import { codeOf, fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

/**
 * Rules of the pool that a redesign could break without any other test noticing: each was found by planting a
 * one-line bug that the rest of the suite let through, so each is asserted here directly.
 */

const A1 = scriptedAddress(1);
const A2 = scriptedAddress(2);
const A3 = scriptedAddress(3);

test("at the link cap a busy link is never the one evicted, even when it is the least recently used", async () => {
  const w = fakeWorld({ maxLinks: 2, commandTimeoutMs: 3_000 });
  try {
    await w.run(w.pool.poll(A2));
    // A1's poll starts after A2's but takes long: its lease is the oldest use of all while it is in flight.
    w.radio.battery(A1).replyDelayMs = 1_000;
    const slow = w.pool.poll(A1);
    await w.clock.tickAsync(400); // connected and waiting for its first reply
    assert.equal(w.pool.linkState(A1), "busy");
    w.radio.battery(A1).replyDelayMs = 0;
    await w.clock.tickAsync(1);
    await w.run(w.pool.poll(A2)); // A2 is now used after A1's lease began
    const third = await w.run(Promise.all([w.pool.poll(A3), slow]));
    assert.equal(third.length, 2);
    const disconnected = w.radio.events.filter((e) => e.type === "disconnect").map((e) => e.id);
    assert.deepEqual(disconnected, [w.radio.battery(A2).id], "the idle link made room, not the busy one");
    assert.equal(w.pool.linkState(A1), "idle");
  } finally {
    await w.dispose();
  }
});

test("a failed connect backs off that battery only: batteries with a link or a history keep polling", async () => {
  const w = fakeWorld({ backoffInitialMs: 30_000 });
  try {
    await w.run(w.pool.poll(A2)); // A2 keeps its link
    await w.run(w.pool.poll(A3));
    await w.run(w.pool.reconnect(A3)); // A3 has a history but no link now
    w.radio.battery(A1).connect = "fail";
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "CONNECT_FAILED");
    assert.equal(w.pool.linkState(A1), "backoff");

    const onLink = await w.run(w.pool.poll(A2));
    assert.equal(onLink.connection, "reused");
    const afresh = await w.run(w.pool.poll(A3));
    assert.equal(afresh.connection, "new");
    assert.equal(w.pool.linkState(A1), "backoff", "still backing off while the others worked");
    assert.equal(w.pool.linkInfo(A2).consecutiveFailures, 0);
    assert.equal(w.pool.linkInfo(A3).consecutiveFailures, 0);
  } finally {
    await w.dispose();
  }
});

test("keep open holds the link even with idle timeout 0", async () => {
  const w = fakeWorld({ keepOpen: true, idleTimeoutMs: 0 });
  try {
    await w.run(w.pool.poll(A1));
    await w.clock.tickAsync(120_000);
    assert.equal(w.pool.linkState(A1), "idle");
    assert.equal(w.radio.count("disconnect"), 0);
    const again = await w.run(w.pool.poll(A1));
    assert.equal(again.connection, "reused");
  } finally {
    await w.dispose();
  }
});

test("NEEDS_PAIRING closes the link: the echoing link is not reused by the next poll", async () => {
  const w = fakeWorld();
  try {
    w.radio.battery(A1).echo = true;
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "NEEDS_PAIRING");
    assert.equal(w.radio.count("disconnect", w.radio.battery(A1).id), 1);
    assert.equal(w.pool.diagnostics().openLinks, 0);
    w.radio.battery(A1).echo = false;
    const next = await w.run(w.pool.poll(A1));
    assert.equal(next.connection, "new");
  } finally {
    await w.dispose();
  }
});

for (const { idleTimeoutMs, sweepIntervalMs } of [
  { idleTimeoutMs: 60_000, sweepIntervalMs: 10_000 },
  { idleTimeoutMs: 25_000, sweepIntervalMs: 10_000 },
  { idleTimeoutMs: 5_000, sweepIntervalMs: 7_000 },
]) {
  test(`idle timeout ${idleTimeoutMs} ms, sweep ${sweepIntervalMs} ms: closed at the first sweep once idle that long, not a sweep earlier`, async () => {
    const w = fakeWorld({ idleTimeoutMs, sweepIntervalMs });
    let idleSince: number | undefined;
    w.pool.on("state", (event) => {
      if (event.state === "idle") idleSince = Date.now();
    });
    try {
      await w.run(w.pool.poll(A1));
      assert.ok(idleSince !== undefined);
      await w.clock.tickAsync(idleTimeoutMs + 2 * sweepIntervalMs);
      const closedAt = w.radio.events.find((e) => e.type === "disconnect")?.at;
      assert.ok(closedAt !== undefined, "the sweeper closed the idle link");
      const idleFor = closedAt - idleSince;
      assert.ok(idleFor >= idleTimeoutMs, `closed after ${idleFor} ms idle: before the idle timeout`);
      assert.ok(idleFor < idleTimeoutMs + sweepIntervalMs, `closed after ${idleFor} ms idle: a sweep late`);
    } finally {
      await w.dispose();
    }
  });
}

test("two MOSFET commands in a row: the first's software-lock intent is remembered for the second", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.setMos(A1, { charge: false })); // locks charge only
    assert.equal(w.radio.battery(A1).lockMask, 0b01);
    // Now a protection turns the discharge FET off. The BMS reports a software lock (bit 12) for the charge lock.
    w.radio.battery(A1).protectionOff = 0b10;
    const result = await w.run(w.pool.setMos(A1, { charge: true }));
    assert.deepEqual(result.state, { charge: true, discharge: false });
    assert.equal(w.radio.battery(A1).lockMask, 0, "discharge, off by protection, must not be software-locked");
    const mosWrites = w.radio.events.filter((e) => e.type === "write" && e.data?.startsWith("dd5ae1"));
    assert.deepEqual(
      mosWrites.map((e) => e.data),
      ["dd5ae1020001ff1c77", "dd5ae1020000ff1d77"],
    );
  } finally {
    await w.dispose();
  }
});

test("a closed link leaves no listener on noble's peripheral objects", async () => {
  const w = fakeWorld({ idleTimeoutMs: 0 });
  try {
    await w.run(w.pool.poll(A1));
    await w.clock.tickAsync(10);
    const baseline = w.central.listenerCounts().peripherals;
    for (let cycle = 0; cycle < 5; cycle++) {
      await w.run(w.pool.poll(A1));
      await w.clock.tickAsync(10);
      w.radio.battery(A1).ignoreNext = 2; // a timeout closes the link the other way
      await w.settle(w.pool.poll(A1));
      await w.clock.tickAsync(10);
    }
    await w.run(w.pool.poll(A1));
    await w.clock.tickAsync(10);
    assert.equal(w.pool.diagnostics().openLinks, 0);
    assert.equal(w.central.listenerCounts().peripherals, baseline);
  } finally {
    await w.dispose();
  }
});
