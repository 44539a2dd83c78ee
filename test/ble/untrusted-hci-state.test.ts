import assert from "node:assert/strict";
import { test } from "node:test";
import { codeOf, fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

const A1 = scriptedAddress(1);

test("a disconnect the radio never confirms restarts the adapter, and polls return to data", async () => {
  const w = fakeWorld({ commandTimeoutMs: 1_000 });
  try {
    await w.run(w.pool.poll(A1));
    const battery = w.radio.battery(A1);
    battery.vanished = true;
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "RESPONSE_TIMEOUT");
    await w.clock.tickAsync(3_000);
    assert.equal(w.radio.restarts.length, 1, "noble's HCI state is not trusted after an unconfirmed disconnect");
    assert.match(w.radio.restarts[0] ?? "", /never confirmed the disconnect/);
    battery.vanished = false;
    const back = await w.run(w.pool.poll(A1));
    assert.equal(back.connection, "new");
  } finally {
    await w.dispose();
  }
});
