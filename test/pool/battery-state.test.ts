import assert from "node:assert/strict";
import { test } from "node:test";
import type { LinkStateEvent } from "../../src/pool/types";
import { fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

const A1 = scriptedAddress(1);

/** The state events of A1 from `mark` on, as "state" or "state until" (the hold's remaining time in whole seconds, as the badge rounds it). */
function eventsOf(events: LinkStateEvent[], mark: number): string[] {
  return events
    .slice(mark)
    .filter((event) => event.address === A1)
    .map((event) => (event.untilMs === undefined ? event.state : `${event.state} ${Math.ceil(event.untilMs / 1000)}`));
}

test("a release derives 'released' from the hold, and every announcement of it carries the time left", async () => {
  const w = fakeWorld();
  const events: LinkStateEvent[] = [];
  w.pool.on("state", (event) => events.push(event));
  try {
    await w.run(w.pool.poll(A1));
    const mark = events.length;
    await w.run(w.pool.release(A1, 300_000));
    assert.deepEqual(eventsOf(events, mark), ["released 300", "closing", "released 300"]);
    await w.clock.tickAsync(300_000);
    assert.deepEqual(eventsOf(events, mark).at(-1), "closed", "the hold's end is announced once");
  } finally {
    await w.dispose();
  }
});

test("a release during a poll shows at once, and the link closes when the poll is done, without an idle between", async () => {
  const w = fakeWorld({}, { replyMs: 300 });
  const events: LinkStateEvent[] = [];
  w.pool.on("state", (event) => events.push(event));
  try {
    await w.run(w.pool.poll(A1));
    const polling = w.settle(w.pool.poll(A1));
    await w.clock.tickAsync(10);
    const mark = events.length;
    const releasing = w.pool.release(A1, 60_000);
    assert.ok((await polling).ok);
    await w.run(releasing);
    assert.deepEqual(eventsOf(events, mark), ["released 60", "closing", "released 60"]);
  } finally {
    await w.dispose();
  }
});
