import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectionPool } from "../../src/pool/connection-pool";
import type { AdapterStateEvent } from "../../src/pool/types";
import { codeOf, fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

const A1 = scriptedAddress(1);
const A2 = scriptedAddress(2);

test("adapter power-off fails pending work with ADAPTER_OFF, and everything recovers when it returns", async () => {
  const w = fakeWorld();
  const adapter: AdapterStateEvent[] = [];
  w.pool.on("adapter", (event) => adapter.push(event));
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).replyDelayMs = 1_000;
    const inFlight = w.pool.poll(A1);
    const connecting = w.pool.poll(A2);
    await w.clock.tickAsync(50);
    w.radio.powerOff();
    const [first, second] = await Promise.all([w.settle(inFlight), w.settle(connecting)]);
    assert.equal(codeOf(first), "ADAPTER_OFF");
    assert.equal(codeOf(second), "ADAPTER_OFF");
    assert.equal(w.pool.adapterState(), "poweredOff");
    assert.equal(adapter.at(-1)?.state, "poweredOff");
    assert.equal(w.pool.linkState(A1), "closed");
    assert.equal(w.pool.diagnostics().openLinks, 0);
    // No backoff for an adapter problem, and new work fails fast.
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "ADAPTER_OFF");

    w.radio.powerOn();
    w.radio.battery(A1).replyDelayMs = 0;
    await w.clock.tickAsync(1);
    assert.equal(adapter.at(-1)?.state, "poweredOn");
    assert.equal((await w.run(w.pool.poll(A1))).connection, "new");
    assert.ok((await w.settle(w.pool.poll(A2))).ok);
  } finally {
    await w.dispose();
  }
});

test("an unavailable adapter fails work with ADAPTER_UNAVAILABLE and its message", async () => {
  const w = fakeWorld();
  const adapter: AdapterStateEvent[] = [];
  w.pool.on("adapter", (event) => adapter.push(event));
  try {
    await w.clock.tickAsync(1);
    w.radio.emit("unavailable", { message: "no cap_net_raw: run setcap" });
    w.radio.emit("stateChange", "unauthorized");
    const outcome = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(outcome), "ADAPTER_UNAVAILABLE");
    assert.match((outcome as { error: Error }).error.message, /setcap/);
    assert.equal(adapter.at(-1)?.error?.code, "ADAPTER_UNAVAILABLE");
  } finally {
    await w.dispose();
  }
});

test("close with work in flight: queued work gets POOL_CLOSED, nothing is left behind", async () => {
  const w = fakeWorld();
  await w.clock.tickAsync(1);
  const baseline = w.central.listenerCounts();
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).replyDelayMs = 400;
    const inFlight = w.pool.poll(A1);
    const queued = w.pool.poll(A1);
    const connecting = w.pool.poll(A2);
    const mos = w.pool.setMos(scriptedAddress(3), { charge: false });
    await w.clock.tickAsync(20);
    const closing = w.pool.close();
    const outcomes = await Promise.all([w.settle(inFlight), w.settle(queued), w.settle(connecting), w.settle(mos)]);
    await w.run(closing);
    // The poll already talking to the BMS may finish; everything else is refused.
    assert.ok(outcomes[0]?.ok || codeOf(outcomes[0]!) === "POOL_CLOSED");
    assert.equal(codeOf(outcomes[1]!), "POOL_CLOSED");
    assert.equal(codeOf(outcomes[2]!), "POOL_CLOSED");
    assert.equal(codeOf(outcomes[3]!), "POOL_CLOSED");
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "POOL_CLOSED");

    await w.clock.tickAsync(10);
    const after = w.pool.diagnostics();
    assert.equal(after.openLinks, 0);
    assert.equal(after.centralOpenLinks, 0);
    assert.equal(after.timers, 0);
    assert.equal(after.poolListeners, 0);
    assert.equal(after.connectsInFlight, 0);
    const counts = w.central.listenerCounts();
    assert.equal(counts.central, baseline.central - 1, "the pool's listener on the central is gone");
    assert.equal(counts.noble, baseline.noble);
    assert.equal(counts.bindings, baseline.bindings);
    assert.equal(w.clock.countTimers(), 0, "no timer of any layer is left");
    assert.ok(![...w.radio.batteries.values()].some((b) => b.connected));
  } finally {
    w.clock.uninstall();
  }
});

test("close finishes within Node-RED's 15 s even when a poll hangs in flight", async () => {
  const w = fakeWorld({ commandTimeoutMs: 60_000 });
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).ignoreNext = 100;
    const hanging = w.pool.poll(A1);
    hanging.catch(() => {}); // judged below, after close
    await w.clock.tickAsync(10);
    const started = Date.now();
    await w.run(w.pool.close());
    assert.ok(Date.now() - started < 15_000);
    assert.equal(codeOf(await w.settle(hanging)), "POOL_CLOSED");
    assert.equal(w.clock.countTimers(), 0);
  } finally {
    w.clock.uninstall();
  }
});

test("two pools on one central: closing one leaves the other's links alone", async () => {
  const w = fakeWorld();
  const other = new ConnectionPool(w.central);
  try {
    await w.run(Promise.all([w.pool.poll(A1), other.poll(A2)]));
    assert.equal(w.radio.maxConnectsInFlight, 1, "the connect gate is shared through the central");
    await w.run(other.close());
    assert.equal(w.pool.linkState(A1), "idle");
    assert.ok((await w.settle(w.pool.poll(A1))).ok);
    assert.equal(w.central.openLinks, 1);
  } finally {
    await w.dispose();
  }
});

test("close while a poll finds its link gone: no new connect starts, the poll gets POOL_CLOSED", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    const id = w.radio.battery(A1).id;
    const connectsBefore = w.radio.count("connect-start", id);
    // The poll takes the free lease at once and looks at the link on its next turn; the link dies meanwhile.
    const poll = w.pool.poll(A1);
    w.radio.dropLink(A1);
    const closing = w.pool.close();
    const outcome = await w.settle(poll);
    await w.run(closing);
    assert.equal(codeOf(outcome), "POOL_CLOSED");
    assert.equal(w.radio.count("connect-start", id), connectsBefore);
    assert.equal(w.central.openLinks, 0);
  } finally {
    await w.dispose();
  }
});

test("an abort that lands while the scan is stopping starts no connect", async () => {
  const w = fakeWorld();
  try {
    const id = w.radio.battery(A1).id;
    // The radio confirms the end of the scan that found A1; the pool closes right then, before the connect step.
    w.radio.once("scanStop", () => void w.pool.close());
    const outcome = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(outcome), "POOL_CLOSED");
    assert.equal(w.radio.count("connect-start", id), 0);
    assert.equal(w.central.listenerCounts().orphanGuards, 0);
  } finally {
    await w.dispose();
  }
});
