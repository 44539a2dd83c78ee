import assert from "node:assert/strict";
import { test } from "node:test";
import { isBmsError } from "../../src/errors";
import { backoffDelayMs } from "../../src/pool/backoff";
import { DEFAULT_POOL_OPTIONS, type PoolOptions } from "../../src/pool/types";
import {
  AuthStatus,
  encodeAuthAppKey,
  encodeAuthPassword,
  encodeReadRequest,
  Register,
  toHex,
} from "../../src/protocol";
import { type SimulatedBindings, simAddress } from "../../src/sim";
import { fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";
import { type SimulatedPool, withSimulatedPool } from "../support/simulated-pool";
import type { Outcome } from "../support/virtual-clock";

// The FF AA password as a step of the pool's link setup (PROTOCOL 5.2 b), against the simulator's password-protected
// modules through the real noble, on the virtual clock. The simulator answers at once (`instant` latency), so the
// simulated time a poll takes is exactly the reply timeouts it waited through.

const BATTERY = simAddress(1);
const PASSWORD = "Zq7#x!";
const COMMAND_TIMEOUT_MS = 1_000;
const A1 = scriptedAddress(1);

interface PasswordWorld extends SimulatedPool {
  /** Every debug and trace line the pool logged. */
  log: string[];
  /** One poll of battery 1, driven on the clock: its outcome and the simulated time it took. */
  poll(): Promise<{ outcome: Outcome<unknown>; tookMs: number }>;
}

/** The simulated modules' password (none: modules without FF AA) and the pool's options. */
async function withPasswordWorld(
  modules: { password?: string },
  options: PoolOptions,
  run: (world: PasswordWorld) => Promise<void>,
): Promise<void> {
  const simulator = { batteries: 2, cells: 4, faults: "none", latency: "instant", seed: 3, ...modules } as const;
  const log: string[] = [];
  const logged = { log: { debug: (line: string) => log.push(line), trace: (line: string) => log.push(line) } };
  await withSimulatedPool(simulator, { commandTimeoutMs: COMMAND_TIMEOUT_MS, ...logged, ...options }, (world) => {
    const { time, pool } = world;
    const poll = async () => {
      const started = time.elapsedMs();
      const outcome = await time.settle(pool.poll(BATTERY), 120_000);
      return { outcome, tookMs: time.elapsedMs() - started };
    };
    return run({ ...world, log, poll });
  });
}

const everyBattery = (password: string) => () => password;

function codeOf(outcome: Outcome<unknown>): string {
  if (outcome.ok) return "ok";
  assert.ok(isBmsError(outcome.error), `untyped failure: ${String(outcome.error)}`);
  return outcome.error.code;
}

function messageOf(outcome: Outcome<unknown>): string {
  assert.ok(!outcome.ok && isBmsError(outcome.error));
  return outcome.error.message;
}

test("with the right password the handshake runs before the first request, and the link then polls", async () => {
  await withPasswordWorld({ password: PASSWORD }, { modulePassword: everyBattery(PASSWORD) }, async (w) => {
    const first = await w.poll();
    assert.equal(codeOf(first.outcome), "ok");
    const stats = w.bindings.stats();
    assert.equal(stats.authFrames, 5, "app key, random byte, password, random byte, root password");
    assert.equal(stats.notRelayed, 0, "no DD request reached the module before the handshake");
    assert.equal(first.tookMs, 0, "no reply timeout waited through");
    const second = await w.poll();
    assert.equal(codeOf(second.outcome), "ok");
    assert.equal(w.bindings.stats().authFrames, 5, "a kept link is not authenticated again");
  });
});

test("per-battery passwords: each link is authenticated with its own battery's password", async () => {
  const passwords = new Map([
    [simAddress(1), PASSWORD],
    [simAddress(2), "123456"],
  ]);
  await withPasswordWorld({ password: PASSWORD }, { modulePassword: (a) => passwords.get(a) }, async (w) => {
    const outcome = await w.time.settle(Promise.allSettled([w.pool.poll(simAddress(1)), w.pool.poll(simAddress(2))]));
    assert.ok(outcome.ok);
    const [one, two] = outcome.value;
    assert.equal(one?.status, "fulfilled");
    assert.equal(two?.status === "rejected" && isBmsError(two.reason) && two.reason.code, "PASSWORD_REJECTED");
    assert.equal(w.bindings.stats().authFrames, 5 + 3);
  });
});

test("no password configured for a module that wants one: PASSWORD_REQUIRED saying where to set it, then backoff", async () => {
  await withPasswordWorld({ password: PASSWORD }, {}, async (w) => {
    // The first link: the request and its retry go unanswered, then the app key once, answered "password needed".
    const first = await w.poll();
    assert.equal(codeOf(first.outcome), "PASSWORD_REQUIRED");
    assert.match(messageOf(first.outcome), /Module password field .*AA:BB:CC:00:00:01=<password>/);
    assert.equal(first.tookMs, 2 * COMMAND_TIMEOUT_MS, "two unanswered requests; the app key is answered at once");
    assert.deepEqual(pick(w.bindings.stats()), { connects: 1, authFrames: 1, notRelayed: 2 });
    assert.equal(w.pool.linkState(BATTERY), "closed", "the link is closed");

    // The next link asks the app key at once (the module said so) and fails the connect: the battery backs off.
    const second = await w.poll();
    assert.equal(codeOf(second.outcome), "PASSWORD_REQUIRED");
    assert.equal(second.tookMs, 0);
    assert.deepEqual(pick(w.bindings.stats()), { connects: 2, authFrames: 2, notRelayed: 2 });
    assert.equal(w.pool.linkState(BATTERY), "backoff");
    const meanwhile = await w.poll();
    assert.equal(codeOf(meanwhile.outcome), "PASSWORD_REQUIRED");
    assert.match(messageOf(meanwhile.outcome), /retry in \d+ s$/);
    assert.deepEqual(pick(w.bindings.stats()), { connects: 2, authFrames: 2, notRelayed: 2 }, "failed fast");
  });
});

test("a wrong password: PASSWORD_REJECTED, the link closed, and no attempt until each backoff has passed", async () => {
  await withPasswordWorld({ password: PASSWORD }, { modulePassword: everyBattery("123456") }, async (w) => {
    for (let failures = 1; failures <= 6; failures++) {
      const attempt = await w.poll();
      assert.equal(codeOf(attempt.outcome), "PASSWORD_REJECTED");
      assert.match(messageOf(attempt.outcome), /refused the password set in the BMS adapter's Module password field/);
      // app key, random byte, password: the handshake stops at the NACK and nothing reaches the BMS.
      assert.deepEqual(pick(w.bindings.stats()), { connects: failures, authFrames: 3 * failures, notRelayed: 0 });
      assert.equal(w.pool.diagnostics().openLinks, 0);
      // A poll every second while the battery backs off: each fails at once, and no connect, no password is sent.
      const backoff = backoffDelayMs(
        failures,
        DEFAULT_POOL_OPTIONS.backoffInitialMs,
        DEFAULT_POOL_OPTIONS.backoffMaxMs,
      );
      let waited = 0;
      while (w.pool.linkState(BATTERY) === "backoff") {
        const meanwhile = await w.poll();
        assert.equal(codeOf(meanwhile.outcome), "PASSWORD_REJECTED");
        assert.equal(w.bindings.stats().connects, failures);
        await w.time.advance(1_000);
        waited += 1_000;
      }
      assert.equal(waited, backoff, `backoff after ${failures} rejections`);
    }
    assert.equal(w.bindings.stats().authFrames, 18, "six handshakes over two minutes of polling every second");
  });
});

test("a module without FF AA costs nothing when no password is configured: no FF AA frame, no wait", async () => {
  await withPasswordWorld({}, {}, async (w) => {
    const first = await w.poll();
    assert.equal(codeOf(first.outcome), "ok");
    await w.time.settle(w.pool.reconnect(BATTERY));
    const second = await w.poll();
    assert.equal(codeOf(second.outcome), "ok");
    assert.equal(w.bindings.stats().connects, 2);
    assert.equal(w.bindings.stats().authFrames, 0);
    assert.deepEqual([first.tookMs, second.tookMs], [0, 0]);
  });
});

test("a module without FF AA and a password configured: one app key and one reply timeout per new link", async () => {
  await withPasswordWorld({}, { modulePassword: everyBattery(PASSWORD) }, async (w) => {
    for (let link = 1; link <= 3; link++) {
      const polled = await w.poll();
      assert.equal(codeOf(polled.outcome), "ok");
      assert.equal(polled.tookMs, COMMAND_TIMEOUT_MS, `link ${link}: the app key's timeout, nothing more`);
      const kept = await w.poll();
      assert.equal(kept.tookMs, 0, "a kept link pays nothing");
      assert.equal(w.bindings.stats().authFrames, link, "one app key per new link");
      await w.time.settle(w.pool.reconnect(BATTERY));
    }
  });
});

test("the log names each step of the handshake but never holds the password or its encrypted frame", async () => {
  await withPasswordWorld({ password: PASSWORD }, { modulePassword: everyBattery(PASSWORD) }, async (w) => {
    assert.equal(codeOf((await w.poll()).outcome), "ok");
    const text = w.log.join("\n");
    assert.match(text, /FF AA handshake: authenticated/);
    assert.match(text, /ffaa1806… \(FF AA password, not logged\)/);
    assert.ok(!text.includes(PASSWORD));
    // Whatever random byte the module drew, the frame that would give the password away is not in the log.
    for (let random = 0; random < 256; random++) {
      const frame = toHex(encodeAuthPassword(BATTERY, PASSWORD, random));
      assert.ok(!text.includes(frame.slice(8, 20)), `the encrypted password for random ${random}`);
    }
  });
});

test("a release while the handshake waits for a reply closes the new link and sends nothing more", async () => {
  await withPasswordWorld({}, { modulePassword: everyBattery(PASSWORD) }, async (w) => {
    const polling = w.time.settle(w.pool.poll(BATTERY));
    await w.time.until(() => w.bindings.stats().authFrames === 1, "the app key on the air");
    await w.time.settle(w.pool.release(BATTERY, 60_000));
    const outcome = await polling;
    assert.equal(codeOf(outcome), "RELEASED");
    assert.equal(w.pool.diagnostics().openLinks, 0);
    assert.equal(w.bindings.stats().requests, 1, "only the app key was sent");
  });
});

function pick(stats: ReturnType<SimulatedBindings["stats"]>) {
  return { connects: stats.connects, authFrames: stats.authFrames, notRelayed: stats.notRelayed };
}

test("no password configured, a module that relays only after the app key and has no password: the request is asked again", async () => {
  const w = fakeWorld({ commandTimeoutMs: COMMAND_TIMEOUT_MS });
  try {
    const battery = w.radio.battery(A1);
    battery.appKeyStatus = AuthStatus.NoPassword;
    const polled = await w.run(w.pool.poll(A1));
    assert.equal(polled.payload.cellCount, 4);
    const written = w.radio.events.filter((e) => e.type === "write").map((e) => e.data);
    const basicInfo = toHex(encodeReadRequest(Register.BasicInfo));
    // 0x03 twice unanswered, the app key (answered "no password"), then 0x03 again and on as usual.
    assert.deepEqual(written.slice(0, 4), [basicInfo, basicInfo, toHex(encodeAuthAppKey()), basicInfo]);
    assert.equal(written.filter((hex) => hex?.startsWith("ffaa")).length, 1, "the app key once");
    // The next link knows nothing more than the first: the module said it has no password.
    await w.run(w.pool.reconnect(A1));
    await w.run(w.pool.poll(A1));
    const again = w.radio.events.filter((e) => e.type === "write").map((e) => e.data);
    assert.equal(again.filter((hex) => hex?.startsWith("ffaa")).length, 2, "one app key per silent first request");
  } finally {
    await w.dispose();
  }
});

test("no password configured and a silent module that does not answer the app key either: RESPONSE_TIMEOUT as before", async () => {
  const w = fakeWorld({ commandTimeoutMs: COMMAND_TIMEOUT_MS });
  try {
    w.radio.battery(A1).ignoreNext = 3;
    const outcome = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(outcome), "RESPONSE_TIMEOUT");
    const written = w.radio.events.filter((e) => e.type === "write").map((e) => e.data);
    assert.deepEqual(
      written.map((hex) => hex?.slice(0, 4)),
      ["dda5", "dda5", "ffaa"],
    );
    assert.equal(w.pool.linkState(A1), "closed");
    // A battery that merely slept through them: the next poll reconnects and gets data, without any FF AA frame.
    await w.run(w.pool.poll(A1));
    const after = w.radio.events.filter((e) => e.type === "write").map((e) => e.data);
    assert.equal(after.filter((hex) => hex?.startsWith("ffaa")).length, 1);
  } finally {
    await w.dispose();
  }
});

test("the handshake leaves no timer and no listener behind: a kept link holds what it holds without FF AA", async () => {
  const afterOnePoll = async (modules: { password?: string }, options: PoolOptions) => {
    let held: unknown;
    await withPasswordWorld(modules, { keepOpen: true, ...options }, async (w) => {
      assert.equal(codeOf((await w.poll()).outcome), "ok");
      held = { timers: w.time.clock.countTimers(), listeners: w.central.listenerCounts() };
    });
    return held;
  };
  const withHandshake = await afterOnePoll({ password: PASSWORD }, { modulePassword: everyBattery(PASSWORD) });
  const without = await afterOnePoll({}, {});
  assert.deepEqual(withHandshake, without);
});

test("a password configured for a module that answers the app key with 'no password': nothing more is sent, polls go on", async () => {
  const w = fakeWorld({ commandTimeoutMs: COMMAND_TIMEOUT_MS, modulePassword: everyBattery(PASSWORD) });
  try {
    w.radio.battery(A1).appKeyStatus = AuthStatus.NoPassword;
    const polled = await w.run(w.pool.poll(A1));
    assert.equal(polled.payload.cellCount, 4);
    const written = w.radio.events.filter((e) => e.type === "write").map((e) => e.data);
    assert.deepEqual(written.slice(0, 2), [toHex(encodeAuthAppKey()), toHex(encodeReadRequest(Register.BasicInfo))]);
    assert.equal(written.filter((hex) => hex?.startsWith("ffaa")).length, 1);
  } finally {
    await w.dispose();
  }
});

test("a module that refuses the app key itself: PASSWORD_REJECTED that says the handshake is not the one we speak", async () => {
  const w = fakeWorld({ commandTimeoutMs: COMMAND_TIMEOUT_MS, modulePassword: everyBattery(PASSWORD) });
  try {
    w.radio.battery(A1).appKeyStatus = AuthStatus.Rejected;
    const outcome = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(outcome), "PASSWORD_REJECTED");
    assert.match(messageOf(outcome), /refused the FF AA app key, which the known modules accept/);
    assert.equal(w.pool.linkState(A1), "backoff");
    assert.equal(w.radio.count("disconnect"), 1, "the new link is closed");
  } finally {
    await w.dispose();
  }
});
