import assert from "node:assert/strict";
import { test } from "node:test";
import type { LinkStateEvent } from "../../src/pool/types";
import { codeOf, fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

const A1 = scriptedAddress(1);
const A2 = scriptedAddress(2);
const A3 = scriptedAddress(3);

test("an idle link stays until the idle timeout and the sweeper closes it after", async () => {
  const w = fakeWorld({ idleTimeoutMs: 60_000, sweepIntervalMs: 10_000 });
  try {
    await w.run(w.pool.poll(A1));
    assert.equal(w.pool.linkState(A1), "idle");
    await w.clock.tickAsync(59_000);
    assert.equal(w.pool.linkState(A1), "idle");
    assert.equal(w.radio.count("disconnect"), 0);
    await w.clock.tickAsync(11_000);
    assert.equal(w.pool.linkState(A1), "closed");
    assert.equal(w.radio.count("disconnect"), 1);
    // The sweeper stops with the last link: nothing of the pool's keeps ticking.
    assert.equal(w.pool.diagnostics().timers, 0);
  } finally {
    await w.dispose();
  }
});

test("a poll within the idle timeout reuses the link and restarts the idle clock", async () => {
  const w = fakeWorld({ idleTimeoutMs: 30_000 });
  try {
    const first = await w.run(w.pool.poll(A1));
    await w.clock.tickAsync(25_000);
    const second = await w.run(w.pool.poll(A1));
    assert.equal(first.connection, "new");
    assert.equal(second.connection, "reused");
    assert.equal(second.connectMs, 0);
    await w.clock.tickAsync(25_000);
    assert.equal(w.pool.linkState(A1), "idle");
    assert.equal(w.radio.count("connect-start"), 1);
  } finally {
    await w.dispose();
  }
});

test("keepOpen never closes an idle link", async () => {
  const w = fakeWorld({ keepOpen: true, idleTimeoutMs: 1_000 });
  try {
    await w.run(w.pool.poll(A1));
    await w.clock.tickAsync(600_000);
    assert.equal(w.pool.linkState(A1), "idle");
    assert.equal(w.radio.count("disconnect"), 0);
  } finally {
    await w.dispose();
  }
});

test("idle timeout 0 closes the link after every operation", async () => {
  const w = fakeWorld({ idleTimeoutMs: 0 });
  try {
    await w.run(w.pool.poll(A1));
    await w.clock.tickAsync(10);
    assert.equal(w.radio.count("disconnect"), 1);
    assert.equal(w.pool.linkState(A1), "closed");
    const again = await w.run(w.pool.poll(A1));
    assert.equal(again.connection, "new");
    assert.equal(w.radio.count("connect-start"), 2);
  } finally {
    await w.dispose();
  }
});

test("the cap evicts the least recently used idle link", async () => {
  const w = fakeWorld({ maxLinks: 2 });
  try {
    await w.run(w.pool.poll(A1));
    await w.clock.tickAsync(1_000);
    await w.run(w.pool.poll(A2));
    await w.clock.tickAsync(1_000);
    await w.run(w.pool.poll(A1)); // A2 is now the least recently used
    await w.run(w.pool.poll(A3));
    assert.equal(w.pool.linkState(A2), "closed");
    assert.equal(w.pool.linkState(A1), "idle");
    assert.equal(w.pool.linkState(A3), "idle");
    const evicted = w.radio.events.findIndex((e) => e.type === "disconnect" && e.id === w.radio.battery(A2).id);
    const third = w.radio.events.findIndex((e) => e.type === "connect-start" && e.id === w.radio.battery(A3).id);
    assert.ok(evicted >= 0 && evicted < third, "the victim is disconnected before the new battery connects");
    assert.equal(w.pool.diagnostics().openLinks, 2);
  } finally {
    await w.dispose();
  }
});

test("beyond the cap with no idle link, work waits in line and is served in order", async () => {
  const w = fakeWorld({ maxLinks: 1 });
  try {
    w.radio.battery(A1).replyDelayMs = 500; // battery 1's poll is slow: its link stays busy
    const order: string[] = [];
    const polls = [A1, A2, A3].map((address) => w.pool.poll(address).then((r) => order.push(r.address)));
    await w.run(Promise.all(polls));
    assert.deepEqual(order, [A1, A2, A3]);
    assert.equal(w.radio.maxConnectsInFlight, 1);
    // Never more than one link at a time: each connect starts after the previous link is gone.
    let open = 0;
    for (const event of w.radio.events) {
      if (event.type === "connected") open++;
      if (event.type === "disconnect") open--;
      assert.ok(open <= 1);
    }
  } finally {
    await w.dispose();
  }
});

test("consecutive connect failures back off, doubling, while other batteries carry on", async () => {
  const w = fakeWorld({ backoffInitialMs: 2_000, backoffMaxMs: 60_000 });
  const events: LinkStateEvent[] = [];
  w.pool.on("state", (event) => events.push(event));
  try {
    w.radio.battery(A1).connect = "fail";
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "CONNECT_FAILED");
    assert.equal(w.pool.linkState(A1), "backoff");
    assert.equal(events.at(-1)?.untilMs, 2_000);

    // During the backoff a poll fails fast with the last error's code and says when it retries.
    const fast = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(fast), "CONNECT_FAILED");
    assert.match((fast as { error: Error }).error.message, /retry in 2 s/);
    assert.equal(w.radio.count("connect-start"), 1);

    // Another battery is unaffected.
    assert.ok((await w.settle(w.pool.poll(A2))).ok);

    await w.clock.tickAsync(2_000);
    assert.equal(w.pool.linkState(A1), "closed");
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "CONNECT_FAILED");
    assert.equal(events.filter((e) => e.address === A1 && e.state === "backoff").at(-1)?.untilMs, 4_000);
    assert.equal(w.pool.linkInfo(A1).consecutiveFailures, 2);

    for (let i = 0; i < 8; i++) {
      await w.clock.tickAsync(60_000);
      await w.settle(w.pool.poll(A1));
    }
    assert.equal(events.filter((e) => e.address === A1 && e.state === "backoff").at(-1)?.untilMs, 60_000);

    // Success resets the count.
    w.radio.battery(A1).connect = "ok";
    await w.clock.tickAsync(60_000);
    assert.ok((await w.settle(w.pool.poll(A1))).ok);
    assert.equal(w.pool.linkInfo(A1).consecutiveFailures, 0);
  } finally {
    await w.dispose();
  }
});

test("release closes the link and refuses work until the hold ends; reconnect lifts it early", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    await w.run(w.pool.release(A1, 300_000));
    assert.equal(w.radio.count("disconnect"), 1);
    assert.equal(w.pool.linkState(A1), "released");
    const refused = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(refused), "RELEASED");
    assert.match((refused as { error: Error }).error.message, /300 s/);
    assert.equal(w.radio.count("connect-start"), 1);

    await w.clock.tickAsync(300_000);
    assert.equal(w.pool.linkState(A1), "closed");
    assert.ok((await w.settle(w.pool.poll(A1))).ok);

    await w.run(w.pool.release(A1, 300_000));
    await w.run(w.pool.reconnect(A1));
    assert.equal(w.pool.linkState(A1), "closed");
    const after = await w.run(w.pool.poll(A1));
    assert.equal(after.connection, "new");
    assert.equal(w.radio.count("connect-start"), 3);
  } finally {
    await w.dispose();
  }
});

test("release during a poll lets that poll finish, then closes; queued polls get RELEASED", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).replyDelayMs = 300;
    const inFlight = w.pool.poll(A1);
    const queued = w.pool.poll(A1);
    await w.clock.tickAsync(10);
    const released = w.pool.release(A1, 60_000);
    const [first, second] = await Promise.all([w.settle(inFlight), w.settle(queued)]);
    await w.run(released);
    assert.ok(first.ok);
    assert.equal(codeOf(second), "RELEASED");
    assert.equal(w.pool.linkState(A1), "released");
  } finally {
    await w.dispose();
  }
});

test("reconnect drops a live link and the next poll connects afresh", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    await w.run(w.pool.reconnect(A1));
    assert.equal(w.radio.count("disconnect"), 1);
    assert.equal((await w.run(w.pool.poll(A1))).connection, "new");
  } finally {
    await w.dispose();
  }
});

test("a dropped link is noticed and the next poll reconnects", async () => {
  const w = fakeWorld();
  const events: LinkStateEvent[] = [];
  w.pool.on("state", (event) => events.push(event));
  try {
    await w.run(w.pool.poll(A1));
    w.radio.dropLink(A1);
    await w.clock.tickAsync(1);
    assert.equal(w.pool.linkState(A1), "closed");
    assert.equal(events.at(-1)?.error?.code, "LINK_LOST");
    assert.equal(w.pool.diagnostics().openLinks, 0);
    const next = await w.run(w.pool.poll(A1));
    assert.equal(next.connection, "new");
    assert.equal(w.radio.count("connect-start"), 2);
  } finally {
    await w.dispose();
  }
});

test("a drop in the middle of a poll fails that poll with LINK_LOST; the next one reconnects", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).replyDelayMs = 1_000;
    const polling = w.pool.poll(A1);
    await w.clock.tickAsync(100);
    w.radio.dropLink(A1);
    assert.equal(codeOf(await w.settle(polling)), "LINK_LOST");
    w.radio.battery(A1).replyDelayMs = 0;
    assert.ok((await w.settle(w.pool.poll(A1))).ok);
  } finally {
    await w.dispose();
  }
});

test("a command timeout closes the link so the next poll reconnects cleanly", async () => {
  const w = fakeWorld({ commandTimeoutMs: 1_000 });
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).ignoreNext = 2; // the request and its one retry
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "RESPONSE_TIMEOUT");
    await w.clock.tickAsync(10);
    assert.equal(w.radio.count("disconnect"), 1);
    assert.equal((await w.run(w.pool.poll(A1))).connection, "new");
  } finally {
    await w.dispose();
  }
});

test("state events are emitted on transitions only", async () => {
  const w = fakeWorld();
  const states: string[] = [];
  w.pool.on("state", (event) => states.push(event.state));
  try {
    await w.run(w.pool.poll(A1));
    await w.run(w.pool.poll(A1));
    assert.deepEqual(states, ["searching", "connecting", "idle", "busy", "idle", "busy", "idle"]);
  } finally {
    await w.dispose();
  }
});
