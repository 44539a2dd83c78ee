import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

const A1 = scriptedAddress(1);
const A2 = scriptedAddress(2);

test("a close listener of a link that throws does not skip the pool's own close handling", async () => {
  const w = fakeWorld({ maxLinks: 1, idleTimeoutMs: 0 });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    // Another listener of the link's close, registered before the pool's (as the central's own is), fails.
    const connect = w.central.connect.bind(w.central);
    w.central.connect = async (address, options) => {
      const link = await connect(address, options);
      link.onClose(() => {
        throw new Error("a close listener failed");
      });
      return link;
    };
    await w.run(w.pool.poll(A1)); // idle timeout 0: the link closes right after the poll
    await w.clock.tickAsync(10);
    assert.equal(w.pool.linkState(A1), "closed");
    assert.equal(w.pool.diagnostics().openLinks, 0);
    // The link slot came back: with a cap of one, another battery gets a link.
    const other = await w.run(w.pool.poll(A2));
    assert.equal(other.connection, "new");
    assert.deepEqual(unhandled, [], "the listener's error did not escape as an unhandled rejection");
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await w.dispose();
  }
});

test("a pool state listener that throws breaks no poll, no close and no later link", async () => {
  const w = fakeWorld({ maxLinks: 1, idleTimeoutMs: 0 });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  let calls = 0;
  w.pool.on("state", () => {
    calls++;
    throw new Error("a state listener failed");
  });
  try {
    const first = await w.run(w.pool.poll(A1)); // idle timeout 0: the link closes right after the poll
    assert.equal(first.connection, "new");
    await w.clock.tickAsync(10);
    assert.equal(w.pool.linkState(A1), "closed");
    assert.equal(w.pool.diagnostics().openLinks, 0);
    const other = await w.run(w.pool.poll(A2));
    assert.equal(other.connection, "new", "the link slot came back");
    assert.ok(calls > 0, "the listener was called");
    assert.deepEqual(unhandled, [], "the listener's error did not escape as an unhandled rejection");
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await w.dispose();
  }
});
