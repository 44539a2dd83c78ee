import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectGate } from "../../src/ble/connect-gate";

test("the connect gate runs one task at a time, first come first served", async () => {
  const gate = new ConnectGate();
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
  assert.equal(gate.isBusy, false);
});

test("a waiter whose signal aborts leaves the line without running", async () => {
  const gate = new ConnectGate();
  let release: () => void = () => {};
  const first = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
  const abort = new AbortController();
  let ran = false;
  const second = gate.run(async () => {
    ran = true;
  }, abort.signal);
  assert.equal(gate.queued, 1);
  abort.abort(new Error("pool closed"));
  await assert.rejects(second, /pool closed/);
  assert.equal(gate.queued, 0);
  release();
  await first;
  assert.equal(ran, false);
  assert.equal(gate.isBusy, false);
});
