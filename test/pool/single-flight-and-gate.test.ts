import assert from "node:assert/strict";
import { test } from "node:test";
import { codeOf, fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

const A1 = scriptedAddress(1);
const A2 = scriptedAddress(2);
const A3 = scriptedAddress(3);

test("ten concurrent polls of one battery share one connect", async () => {
  const w = fakeWorld();
  try {
    const results = await w.run(Promise.all(Array.from({ length: 10 }, () => w.pool.poll(A1))));
    assert.equal(results.length, 10);
    assert.equal(w.radio.count("connect-start"), 1);
    assert.ok(results.every((r) => r.payload.cellCount === 4));
    // The first caller through the lease sees the connect; all of them waited for the same attempt.
    assert.equal(w.pool.linkInfo(A1).connects, 1);
    // One command in flight per link: every 0x03 request is followed by its 0x04 before the next 0x03.
    const writes = w.radio.events.filter((e) => e.type === "write").map((e) => e.data?.slice(4, 6));
    const polls = writes.filter((r) => r !== "05");
    for (let i = 0; i < polls.length; i += 2) assert.deepEqual(polls.slice(i, i + 2), ["03", "04"]);
  } finally {
    await w.dispose();
  }
});

test("three batteries connect one at a time but read in parallel once linked", async () => {
  const w = fakeWorld();
  try {
    await w.run(Promise.all([w.pool.poll(A1), w.pool.poll(A2), w.pool.poll(A3)]));
    // The connect gate: never two connects in flight on the adapter, and each starts after the last completed.
    assert.equal(w.radio.maxConnectsInFlight, 1);
    const connectEvents = w.radio.events.filter((e) => e.type === "connect-start" || e.type === "connected");
    assert.deepEqual(
      connectEvents.map((e) => e.type),
      ["connect-start", "connected", "connect-start", "connected", "connect-start", "connected"],
    );
    // Scanning is stopped before every connect.
    for (const start of w.radio.events.filter((e) => e.type === "connect-start")) {
      const before = w.radio.events.slice(0, w.radio.events.indexOf(start));
      const lastScan = before.filter((e) => e.type === "scan-start" || e.type === "scan-stop").at(-1);
      assert.equal(lastScan?.type, "scan-stop");
    }

    const mark = w.radio.events.length;
    await w.run(Promise.all([w.pool.poll(A1), w.pool.poll(A2), w.pool.poll(A3)]));
    const writes = w.radio.events.slice(mark).filter((e) => e.type === "write");
    // All three batteries got their first request before any battery got its second: reads overlap.
    assert.deepEqual(new Set(writes.slice(0, 3).map((e) => e.id)).size, 3);
    assert.ok(writes.slice(0, 3).every((e) => e.data?.slice(4, 6) === "03"));
    assert.equal(w.radio.count("connect-start"), 3);
  } finally {
    await w.dispose();
  }
});

test("a hung connect is cancelled at the connect timeout and does not block the next battery", async () => {
  const w = fakeWorld({ connectTimeoutMs: 5_000 });
  try {
    w.radio.battery(A1).connect = "hang";
    const [first, second] = await Promise.all([w.settle(w.pool.poll(A1)), w.settle(w.pool.poll(A2))]);
    assert.equal(codeOf(first), "CONNECT_TIMEOUT");
    assert.ok(second.ok);
    const cancel = w.radio.events.findIndex((e) => e.type === "connect-cancel" && e.id === w.radio.battery(A1).id);
    const next = w.radio.events.findIndex((e) => e.type === "connect-start" && e.id === w.radio.battery(A2).id);
    assert.ok(cancel >= 0 && cancel < next, "the hung attempt is cancelled before the next connect starts");
    // No listener left behind on the peripheral by the abandoned attempt, except the one orphan guard.
    assert.equal(w.central.listenerCounts().orphanGuards, 1);
  } finally {
    await w.dispose();
  }
});

test("a battery that is not advertising fails with NOT_FOUND within the scan timeout", async () => {
  const w = fakeWorld({ scanTimeoutMs: 4_000 });
  try {
    w.radio.battery(A1).advertising = false;
    const outcome = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(outcome), "NOT_FOUND");
    assert.equal(w.radio.count("connect-start"), 0);
  } finally {
    await w.dispose();
  }
});

test("an invalid address is INVALID_INPUT and lower-case or bare addresses are normalised", async () => {
  const w = fakeWorld();
  try {
    assert.equal(codeOf(await w.settle(w.pool.poll("not-an-address"))), "INVALID_INPUT");
    const result = await w.run(w.pool.poll("aabbcc000001"));
    assert.equal(result.address, A1);
    assert.equal(w.pool.linkState("aa:bb:cc:00:00:01"), "idle");
  } finally {
    await w.dispose();
  }
});
