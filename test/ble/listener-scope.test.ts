import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";

import FakeTimers = require("@sinonjs/fake-timers");

import { scopedOperation } from "../../src/ble/listener-scope";
import { FAKED } from "../support/virtual-clock";

test("a scoped operation removes its listeners and timer when it resolves", async () => {
  const clock = FakeTimers.install({ toFake: FAKED });
  try {
    const emitter = new EventEmitter();
    const done = scopedOperation<string>(
      1_000,
      () => new Error("timeout"),
      ({ scope, resolve }) => {
        scope.on(emitter, "data", (value: string) => resolve(value));
        scope.on(emitter, "other", () => {});
      },
    );
    assert.equal(emitter.listenerCount("data"), 1);
    emitter.emit("data", "hello");
    assert.equal(await done, "hello");
    assert.equal(emitter.listenerCount("data") + emitter.listenerCount("other"), 0);
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

test("on timeout the listeners are gone before the clean-up runs, and a late callback is ignored", async () => {
  const clock = FakeTimers.install({ toFake: FAKED });
  try {
    const emitter = new EventEmitter();
    let listenersDuringCleanup = -1;
    const outcome = scopedOperation<string>(
      1_000,
      () => new Error("timed out"),
      ({ scope, resolve }) => scope.on(emitter, "data", (value: string) => resolve(value)),
      () => {
        listenersDuringCleanup = emitter.listenerCount("data");
        emitter.emit("data", "late"); // like cancelConnect emitting connect(err) synchronously
      },
    );
    const settled = outcome.then(
      () => "resolved",
      (error: Error) => error.message,
    );
    await clock.tickAsync(1_000);
    assert.equal(await settled, "timed out");
    assert.equal(listenersDuringCleanup, 0);
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

test("a throw while starting rejects and cleans up", async () => {
  const emitter = new EventEmitter();
  await assert.rejects(
    scopedOperation<void>(
      1_000,
      () => new Error("timeout"),
      ({ scope }) => {
        scope.on(emitter, "x", () => {});
        throw new Error("boom");
      },
    ),
    /boom/,
  );
  assert.equal(emitter.listenerCount("x"), 0);
});
