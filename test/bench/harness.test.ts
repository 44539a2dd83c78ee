import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { BENCH_CLOCK } from "../../bench/harness/bench-clock";
import { formatNumber, formatTable } from "../../bench/harness/table";
import { Mutex } from "../../bench/policies/mutex";
import { installVirtualClock, type VirtualClock } from "../support/virtual-clock";

describe("bench virtual clock", () => {
  let clock: VirtualClock | undefined;
  afterEach(() => {
    clock?.uninstall();
    clock = undefined;
  });

  it("settles work that chains timers and promises, reading the time it took from the clock", async () => {
    clock = installVirtualClock(BENCH_CLOCK);
    const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const work = (async () => {
      await wait(1500);
      await new Promise<void>((resolve) => setImmediate(resolve));
      await wait(250);
      return "done";
    })();
    assert.equal(await clock.run(work), "done");
    assert.equal(clock.elapsedMs(), 1750);
  });

  it("passes a rejection through", async () => {
    clock = installVirtualClock(BENCH_CLOCK);
    const failing = new Promise((_, reject) => setTimeout(() => reject(new Error("late failure")), 10));
    await assert.rejects(clock.run(failing), /late failure/);
  });

  it("reports work that waits on nothing simulated instead of spinning for ever", async () => {
    clock = installVirtualClock(BENCH_CLOCK);
    await assert.rejects(clock.run(new Promise(() => {})), /stalled/);
    const ticking = setInterval(() => {}, 1000);
    await assert.rejects(clock.run(new Promise(() => {}), 60_000), /still pending/);
    clearInterval(ticking);
  });
});

describe("bench mutex", () => {
  it("runs holders one at a time in arrival order, and a failure does not block the next", async () => {
    const lock = new Mutex();
    const log: string[] = [];
    const hold = (name: string, fail = false) =>
      lock.run(async () => {
        log.push(`${name} in`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name} out`);
        if (fail) throw new Error(name);
      });
    const results = await Promise.allSettled([hold("a"), hold("b", true), hold("c")]);
    assert.deepEqual(log, ["a in", "a out", "b in", "b out", "c in", "c out"]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
  });
});

describe("bench table", () => {
  it("aligns the label column left and figures right", () => {
    const text = formatTable(
      "T",
      ["policy", "ms"],
      [
        ["pool", "12"],
        ["globalLock", "1,234"],
      ],
    );
    assert.equal(
      text,
      ["T", "policy         ms", "----------  -----", "pool           12", "globalLock  1,234"].join("\n"),
    );
  });

  it("prints n/a for a figure that was not measured", () => {
    assert.equal(formatNumber(null), "n/a");
    assert.equal(formatNumber(Number.NaN), "n/a");
    assert.equal(formatNumber(1234.56, 1), "1,234.6");
  });
});
