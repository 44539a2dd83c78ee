import assert from "node:assert/strict";
import { test } from "node:test";
import { FifoLock } from "../src/fifo-lock";

// The lock as the central's connect gate uses it (one connect per adapter), and as the pool's link slots (capacity).
test("the connect gate runs one task at a time, first come first served", async () => {
  const gate = new FifoLock();
  const log: string[] = [];
  let running = 0;
  const task = (name: string) => async () => {
    running++;
    assert.equal(running, 1);
    log.push(`start ${name}`);
    await new Promise((resolve) => setImmediate(resolve));
    log.push(`end ${name}`);
    running--;
  };
  await Promise.all([gate.run(task("a")), gate.run(task("b")), gate.run(task("c"))]);
  assert.deepEqual(log, ["start a", "end a", "start b", "end b", "start c", "end c"]);
  assert.equal(gate.isHeld, false);
});

test("a waiter whose signal aborts leaves the line without running", async () => {
  const gate = new FifoLock();
  let release: () => void = () => {};
  const first = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
  const abort = new AbortController();
  let ran = false;
  const second = gate.run(async () => {
    ran = true;
  }, abort.signal);
  assert.equal(gate.waiting, 1);
  abort.abort(new Error("pool closed"));
  await assert.rejects(second, /pool closed/);
  assert.equal(gate.waiting, 0);
  release();
  await first;
  assert.equal(ran, false);
  assert.equal(gate.isHeld, false);
});

test("with a capacity of two, two hold at once and the third waits for the first place given back", async () => {
  const slots = new FifoLock(2);
  assert.equal(slots.tryAcquire(), true);
  assert.equal(slots.tryAcquire(), true);
  assert.equal(slots.tryAcquire(), false);
  let third = false;
  const waiting = slots.acquire().then(() => {
    third = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(third, false);
  assert.equal(slots.release(), false, "the place goes to the waiter");
  await waiting;
  assert.equal(third, true);
  const free = slots.whenFree();
  assert.equal(slots.release(), false);
  assert.equal(slots.release(), true);
  await free;
  assert.equal(slots.isHeld, false);
});

test("refuseWaiting turns the line away and leaves the holder its place", async () => {
  const lock = new FifoLock();
  await lock.acquire();
  const first = lock.acquire();
  const second = lock.acquire();
  lock.refuseWaiting(new Error("released"));
  await assert.rejects(first, /released/);
  await assert.rejects(second, /released/);
  assert.equal(lock.isHeld, true);
  assert.equal(lock.release(), true);
});
