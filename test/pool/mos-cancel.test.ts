import assert from "node:assert/strict";
import { test } from "node:test";
import { BmsError } from "../../src/errors";
import { codeOf, type FakeWorld, fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

// setMos with an AbortSignal (what a closing bms-mos node uses): until the 0xE1 write goes to the link the command
// can be cancelled at every step, and once it is on the wire nothing more is written.
const A1 = scriptedAddress(1);
const MOS_WRITE = "dd5ae1";
const EXIT_FACTORY = "dd5a01";

function cancelled(): BmsError {
  return new BmsError("NODE_CLOSED", "the bms-mos node closed before its command was written");
}

/** Hex of every request written to the battery since `mark`. */
function writesSince(w: FakeWorld, mark: number): string[] {
  return w.radio.events
    .filter((e) => e.type === "write")
    .slice(mark)
    .map((e) => e.data ?? "");
}

/** With the link up (one poll), starts a cancellable setMos; `mark` counts the writes before it. */
async function cancellableMos(w: FakeWorld, desired: { charge?: boolean; discharge?: boolean }) {
  await w.run(w.pool.poll(A1));
  const mark = w.radio.count("write");
  const abort = new AbortController();
  const mos = w.settle(w.pool.setMos(A1, desired, { signal: abort.signal }));
  return { mark, abort, mos };
}

async function until(w: FakeWorld, predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !predicate(); i++) await w.clock.tickAsync(1);
  assert.ok(predicate(), "the awaited step never came");
}

test("a setMos cancelled while its link connects rejects with the reason and writes nothing", async () => {
  const w = fakeWorld({}, { connectMs: 2_000 });
  try {
    const abort = new AbortController();
    const mos = w.settle(w.pool.setMos(A1, { charge: false, discharge: false }, { signal: abort.signal }));
    await until(w, () => w.radio.count("connect-start") === 1);
    abort.abort(cancelled());
    const outcome = await mos;
    assert.equal(codeOf(outcome), "NODE_CLOSED");
    assert.ok(w.radio.count("connected") === 0, "it did not wait for the connect to finish");
    await w.clock.tickAsync(30_000);
    assert.deepEqual(writesSince(w, 0), [], "nothing at all was written");
    assert.equal(w.radio.battery(A1).lockMask, 0);
  } finally {
    await w.dispose();
  }
});

test("a setMos cancelled while it waits for the lease behind a poll writes nothing", async () => {
  const w = fakeWorld({}, { replyMs: 200 });
  try {
    await w.run(w.pool.poll(A1));
    const mark = w.radio.count("write");
    const poll = w.settle(w.pool.poll(A1));
    const abort = new AbortController();
    const mos = w.settle(w.pool.setMos(A1, { charge: false }, { signal: abort.signal }));
    await until(w, () => w.radio.count("write") > mark);
    abort.abort(cancelled());
    assert.equal(codeOf(await mos), "NODE_CLOSED");
    assert.ok((await poll).ok, "the poll holding the lease is not disturbed");
    assert.ok(
      writesSince(w, mark).every((hex) => !hex.startsWith("dd5a")),
      "no write",
    );
    assert.equal(w.pool.diagnostics().leasesHeld, 0);
  } finally {
    await w.dispose();
  }
});

test("a setMos cancelled while it reads the state before the write never sends the write", async () => {
  const w = fakeWorld({}, { replyMs: 200 });
  try {
    const { mark, abort, mos } = await cancellableMos(w, { charge: false });
    await until(w, () => w.radio.count("write") > mark);
    assert.deepEqual(writesSince(w, mark), ["dda50300fffd77"], "the read of the present state is on the air");
    abort.abort(cancelled());
    assert.equal(codeOf(await mos), "NODE_CLOSED");
    await w.clock.tickAsync(10_000);
    assert.deepEqual(writesSince(w, mark), ["dda50300fffd77"]);
    assert.equal(w.radio.battery(A1).lockMask, 0);
    assert.equal(w.pool.linkState(A1), "idle", "the link is fine and stays");
  } finally {
    await w.dispose();
  }
});

test("a write already on the wire is acknowledged and read back, but nothing more is written", async () => {
  const w = fakeWorld({}, { replyMs: 200 });
  try {
    const { mark, abort, mos } = await cancellableMos(w, { charge: false });
    await until(w, () => writesSince(w, mark).some((hex) => hex.startsWith(MOS_WRITE)));
    abort.abort(cancelled());
    const outcome = await mos;
    assert.ok(outcome.ok, "the switch happened, so the result stands");
    assert.deepEqual(outcome.value.state, { charge: false, discharge: true });
    assert.equal(outcome.value.written, true);
    const writes = writesSince(w, mark);
    assert.deepEqual(
      writes.map((hex) => hex.slice(0, 6)),
      ["dda503", MOS_WRITE, "dda503"],
      "read, write, read back: no exit-factory write after the cancel",
    );
    assert.ok(!writes.some((hex) => hex.startsWith(EXIT_FACTORY)));
    assert.equal(w.radio.battery(A1).lockMask, 0b01);
  } finally {
    await w.dispose();
  }
});

test("an unanswered write is not sent again once cancelled: the outcome stays the timeout", async () => {
  const w = fakeWorld({ commandTimeoutMs: 1_000 }, { replyMs: 40 });
  try {
    const { mark, abort, mos } = await cancellableMos(w, { charge: false });
    await until(w, () => w.radio.count("write") > mark);
    // The read of the present state is answered; the write that follows gets no answer.
    w.radio.battery(A1).ignoreNext = 1;
    await until(w, () => writesSince(w, mark).some((hex) => hex.startsWith(MOS_WRITE)));
    abort.abort(cancelled());
    assert.equal(codeOf(await mos), "RESPONSE_TIMEOUT", "the write may have reached the BMS: not called cancelled");
    assert.equal(writesSince(w, mark).filter((hex) => hex.startsWith(MOS_WRITE)).length, 1, "no retry");
  } finally {
    await w.dispose();
  }
});

test("a signal aborted before the call rejects at once without touching the radio", async () => {
  const w = fakeWorld();
  try {
    const abort = new AbortController();
    abort.abort(cancelled());
    assert.equal(codeOf(await w.settle(w.pool.setMos(A1, { charge: false }, { signal: abort.signal }))), "NODE_CLOSED");
    assert.equal(w.radio.count("connect-start"), 0);
  } finally {
    await w.dispose();
  }
});
