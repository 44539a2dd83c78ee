import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MosCommandQueue } from "../../src/nodes/mos-command-queue";
import { PollCoalescer } from "../../src/nodes/poll-coalescer";

/** A task whose completion the test controls. */
function gate<T>() {
  let open!: (value: T) => void;
  let fail!: (err: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("PollCoalescer", () => {
  it("runs one task in flight plus one pending, and later triggers join the pending one", async () => {
    const coalescer = new PollCoalescer<number>();
    const gates = [gate<number>(), gate<number>()];
    let started = 0;
    const task = () => gates[started++]!.promise;
    const first = coalescer.run("A", task);
    const joined = [coalescer.run("A", task), coalescer.run("A", task), coalescer.run("A", task)];
    await tick();
    assert.equal(started, 1);
    gates[0]!.open(1);
    assert.equal(await first, 1);
    await tick();
    assert.equal(started, 2);
    gates[1]!.open(2);
    assert.deepEqual(await Promise.all(joined), [2, 2, 2]);
    assert.equal(started, 2);
    assert.equal(coalescer.active, 0);
  });

  it("starts the pending poll even when the one in flight fails, and keeps batteries apart", async () => {
    const coalescer = new PollCoalescer<string>();
    const a = gate<string>();
    const first = coalescer.run("A", () => a.promise);
    const second = coalescer.run("A", async () => "second");
    const other = coalescer.run("B", async () => "B");
    assert.equal(await other, "B");
    a.fail(new Error("boom"));
    await assert.rejects(first, /boom/);
    assert.equal(await second, "second");
    await tick();
    assert.equal(coalescer.active, 0);
  });
  it("cancels the pending task before it starts and lets the one in flight finish", async () => {
    const coalescer = new PollCoalescer<string>();
    const a = gate<string>();
    let pendingStarted = false;
    const first = coalescer.run("A", () => a.promise);
    const pending = coalescer.run("A", async () => {
      pendingStarted = true;
      return "pending";
    });
    const joined = coalescer.run("A", async () => "joined");
    coalescer.cancelPending(new Error("closed"));
    await assert.rejects(pending, /closed/);
    await assert.rejects(joined, /closed/);
    a.open("first");
    assert.equal(await first, "first");
    await tick();
    assert.equal(pendingStarted, false);
    assert.equal(coalescer.active, 0);
  });
});

describe("MosCommandQueue", () => {
  it("runs one command per battery at a time; a newer command supersedes the queued one", async () => {
    const queue = new MosCommandQueue<string>();
    const first = gate<string>();
    const ran: string[] = [];
    const outcomes = [
      queue.run("A", () => {
        ran.push("1");
        return first.promise;
      }),
      queue.run("A", async () => {
        ran.push("2");
        return "2";
      }),
      queue.run("A", async () => {
        ran.push("3");
        return "3";
      }),
    ];
    assert.deepEqual(await outcomes[1], { superseded: true });
    first.open("1");
    assert.deepEqual(await outcomes[0], { superseded: false, value: "1" });
    assert.deepEqual(await outcomes[2], { superseded: false, value: "3" });
    assert.deepEqual(ran, ["1", "3"]);
    await tick();
    assert.equal(queue.active, 0);
  });

  it("on cancelAll ends the queued commands with the reason unrun, and aborts the running ones' signal", async () => {
    const queue = new MosCommandQueue<string>();
    const running = gate<string>();
    const signals: AbortSignal[] = [];
    const ran: string[] = [];
    const first = queue.run("A", (signal) => {
      signals.push(signal);
      ran.push("A1");
      return running.promise;
    });
    const queued = queue.run("A", async () => {
      ran.push("A2");
      return "A2";
    });
    const otherBattery = queue.run("B", (signal) => {
      signals.push(signal);
      ran.push("B1");
      return new Promise<string>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    });
    await tick();
    const reason = new Error("node closed");
    queue.cancelAll(reason);
    await assert.rejects(queued, (err) => err === reason);
    await assert.rejects(otherBattery, (err) => err === reason);
    assert.ok(signals.length === 2 && signals.every((signal) => signal.aborted && signal.reason === reason));
    // A command already past the point of no return settles as it does.
    running.open("A1 done");
    assert.deepEqual(await first, { superseded: false, value: "A1 done" });
    await assert.rejects(
      queue.run("A", async () => "late"),
      (err) => err === reason,
    );
    assert.deepEqual(ran, ["A1", "B1"]);
    await tick();
    assert.equal(queue.active, 0);
  });

  it("passes a failure to its own command only", async () => {
    const queue = new MosCommandQueue<string>();
    const failing = queue.run("A", async () => {
      throw new Error("no ack");
    });
    const next = queue.run("A", async () => "ok");
    await assert.rejects(failing, /no ack/);
    assert.deepEqual(await next, { superseded: false, value: "ok" });
  });
});
