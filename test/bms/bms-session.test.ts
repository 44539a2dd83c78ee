import assert from "node:assert/strict";
import { test } from "node:test";
import { BmsSession } from "../../src/bms/bms-session";
import { BmsError } from "../../src/errors";
import { encodeFrame, Register } from "../../src/protocol";
import { codeOf, fakeWorld } from "../support/fake-world";
import { scriptedAddress } from "../support/scripted-radio";

const A1 = scriptedAddress(1);

test("a duplicated reply never produces phantom cells or a mismatched answer", async () => {
  const w = fakeWorld();
  try {
    w.radio.battery(A1).duplicateReplies = true;
    for (let i = 0; i < 5; i++) {
      const { payload } = await w.run(w.pool.poll(A1));
      assert.equal(payload.cellCount, 4);
      assert.equal(payload.cellVoltages.length, 4);
      assert.deepEqual(payload.cellVoltages, [3.3, 3.301, 3.302, 3.303]);
      assert.equal(payload.voltage, 13.21);
    }
  } finally {
    await w.dispose();
  }
});

test("a late reply to a timed-out request is never taken as the next answer", async () => {
  const w = fakeWorld({ commandTimeoutMs: 1_000 }, { replyMs: 40 });
  try {
    await w.run(w.pool.poll(A1));
    const battery = w.radio.battery(A1);
    // Every reply arrives 2.5 s late: after the timeout of the request and of its one retry, so the poll fails and
    // the stale replies land on a session that no longer waits for them.
    battery.replyDelayMs = 2_500;
    const late = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(late), "RESPONSE_TIMEOUT");
    battery.replyDelayMs = 0;
    const next = await w.run(w.pool.poll(A1));
    assert.equal(next.connection, "new");
    assert.equal(next.payload.cellCount, 4);
  } finally {
    await w.dispose();
  }
});

test("a corrupted reply is asked for again and the poll gets the true values", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).corruptNext = 1;
    const mark = w.radio.count("write");
    const result = await w.run(w.pool.poll(A1));
    assert.equal(result.payload.voltage, 13.21);
    assert.deepEqual(result.payload.cellVoltages, [3.3, 3.301, 3.302, 3.303]);
    assert.equal(w.radio.count("write") - mark, 3, "0x03 sent twice, then 0x04");
  } finally {
    await w.dispose();
  }
});

test("a damaged remnant of another register's reply does not fail the request waiting for its own", async () => {
  const w = fakeWorld({}, { replyMs: 40 });
  try {
    await w.run(w.pool.poll(A1));
    const mark = w.radio.count("write");
    const polling = w.settle(w.pool.poll(A1));
    // Wait until the 0x03 reply is in and the 0x04 request is on the air.
    while (w.radio.count("write") < mark + 2) await w.clock.tickAsync(1);
    const strayBasicInfo = encodeFrame(Register.BasicInfo, 0, new Uint8Array(4));
    strayBasicInfo[5] = (strayBasicInfo[5] as number) ^ 0xff; // a late 0x03 reply, damaged on the way
    w.radio.injectNotification(A1, strayBasicInfo);
    const outcome = await polling;
    assert.ok("value" in outcome, JSON.stringify(outcome));
    assert.deepEqual(outcome.value.payload.cellVoltages, [3.3, 3.301, 3.302, 3.303]);
    assert.equal(w.radio.count("write") - mark, 2, "nothing was asked again");
  } finally {
    await w.dispose();
  }
});

test("a damaged frame for the register being waited for is asked for again at once", async () => {
  const w = fakeWorld({}, { replyMs: 40 });
  try {
    await w.run(w.pool.poll(A1));
    const mark = w.radio.count("write");
    const polling = w.settle(w.pool.poll(A1));
    while (w.radio.count("write") < mark + 2) await w.clock.tickAsync(1);
    const damagedCells = encodeFrame(Register.CellVoltages, 0, new Uint8Array(8));
    damagedCells[5] = (damagedCells[5] as number) ^ 0xff;
    w.radio.injectNotification(A1, damagedCells);
    const outcome = await polling;
    assert.ok("value" in outcome, JSON.stringify(outcome));
    assert.deepEqual(outcome.value.payload.cellVoltages, [3.3, 3.301, 3.302, 3.303]);
    assert.equal(w.radio.count("write") - mark, 3, "0x04 was asked again");
  } finally {
    await w.dispose();
  }
});

test("a reply cut short is forgotten when the request is asked again, so the retry's answer stands", async () => {
  const w = fakeWorld({ commandTimeoutMs: 1_000 }, { replyMs: 40 });
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).ignoreNext = 1; // the 0x03 reply never arrives whole ...
    const mark = w.radio.count("write");
    const polling = w.settle(w.pool.poll(A1));
    while (w.radio.count("write") < mark + 1) await w.clock.tickAsync(1);
    // ... only its first notification does.
    const cutShort = encodeFrame(Register.BasicInfo, 0, new Uint8Array(29)).subarray(0, 20);
    w.radio.injectNotification(A1, cutShort);
    const outcome = await polling;
    assert.ok("value" in outcome, JSON.stringify(outcome));
    assert.equal(outcome.value.payload.voltage, 13.21);
    assert.equal(w.radio.count("write") - mark, 3, "0x03 twice, then 0x04");
  } finally {
    await w.dispose();
  }
});

test("a 0x04 whose cell count contradicts 0x03 is read again once, and the poll gets the consistent pair", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).cellsIn04 = [16];
    const mark = w.radio.count("write");
    const result = await w.run(w.pool.poll(A1));
    assert.equal(result.payload.cellCount, 4);
    assert.equal(result.payload.cellVoltages.length, 4);
    assert.equal(result.payload.balancing.length, 4);
    assert.equal(w.radio.count("write") - mark, 4, "0x03 and 0x04, then both again");
  } finally {
    await w.dispose();
  }
});

test("cell counts of 0x03 and 0x04 that disagree twice fail that poll with BAD_FRAME; the link stays", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).cellsIn04 = [1, 1];
    const failed = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(failed), "BAD_FRAME");
    assert.match((failed as { error: BmsError }).error.message, /0x03 announces 4 cells, 0x04 carries 1/);
    const next = await w.run(w.pool.poll(A1));
    assert.equal(next.connection, "reused");
    assert.equal(next.payload.cellVoltages.length, 4);
  } finally {
    await w.dispose();
  }
});

test("a reply corrupted twice in a row fails that poll only; the link stays and the next poll works", async () => {
  const w = fakeWorld();
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).corruptNext = 2;
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "BAD_FRAME");
    const next = await w.run(w.pool.poll(A1));
    assert.equal(next.connection, "reused");
    assert.equal(next.payload.voltage, 13.21);
  } finally {
    await w.dispose();
  }
});

test("the first request after connecting is sent again once when it is ignored", async () => {
  const w = fakeWorld({ commandTimeoutMs: 1_000 });
  try {
    w.radio.battery(A1).ignoreNext = 1;
    const result = await w.run(w.pool.poll(A1));
    assert.equal(result.payload.cellCount, 4);
    const writes = w.radio.events.filter((e) => e.type === "write").map((e) => e.data);
    assert.equal(writes[0], writes[1], "the ignored first request was repeated");
    assert.equal(w.radio.count("connect-start"), 1);
  } finally {
    await w.dispose();
  }
});

test("a lost reply on a warm link is asked for again once", async () => {
  const w = fakeWorld({ commandTimeoutMs: 1_000 });
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).ignoreNext = 1;
    const result = await w.run(w.pool.poll(A1));
    assert.equal(result.connection, "reused");
    assert.equal(result.payload.cellCount, 4);
  } finally {
    await w.dispose();
  }
});

test("a request ignored twice in a row fails with RESPONSE_TIMEOUT after exactly one retry", async () => {
  const w = fakeWorld({ commandTimeoutMs: 1_000 });
  try {
    await w.run(w.pool.poll(A1));
    w.radio.battery(A1).ignoreNext = 2;
    const mark = w.radio.count("write");
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "RESPONSE_TIMEOUT");
    assert.equal(w.radio.count("write") - mark, 2);
  } finally {
    await w.dispose();
  }
});

test("a BMS that echoes requests fails with NEEDS_PAIRING", async () => {
  const w = fakeWorld();
  try {
    w.radio.battery(A1).echo = true;
    const outcome = await w.settle(w.pool.poll(A1));
    assert.equal(codeOf(outcome), "NEEDS_PAIRING");
    assert.match((outcome as { error: Error }).error.message, /pair/);
  } finally {
    await w.dispose();
  }
});

test("a missing hardware version gives hardwareVersion null and is asked once per connection", async () => {
  const w = fakeWorld();
  try {
    w.radio.battery(A1).noHardwareVersion = true;
    const first = await w.run(w.pool.poll(A1));
    await w.run(w.pool.poll(A1));
    assert.equal(first.payload.hardwareVersion, null);
    const versionReads = w.radio.events.filter((e) => e.type === "write" && e.data?.slice(4, 6) === "05");
    assert.equal(versionReads.length, 1);
  } finally {
    await w.dispose();
  }
});

test("the fff0 variant and write-with-response-only dongles work", async () => {
  const w = fakeWorld();
  try {
    w.radio.battery(A1).layout = "fff0";
    w.radio.battery(scriptedAddress(2)).writeWithResponseOnly = true;
    assert.equal((await w.run(w.pool.poll(A1))).payload.cellCount, 4);
    assert.equal((await w.run(w.pool.poll(scriptedAddress(2)))).payload.cellCount, 4);
  } finally {
    await w.dispose();
  }
});

test("a device without the JBD service is NOT_A_JBD and is disconnected", async () => {
  const w = fakeWorld();
  try {
    w.radio.battery(A1).layout = "none";
    assert.equal(codeOf(await w.settle(w.pool.poll(A1))), "NOT_A_JBD");
    await w.clock.tickAsync(10);
    assert.equal(w.radio.battery(A1).connected, false);
    assert.equal(w.pool.diagnostics().openLinks, 0);
  } finally {
    await w.dispose();
  }
});

test("MOS: an unchanged request answers without writing", async () => {
  const w = fakeWorld();
  try {
    const result = await w.run(w.pool.setMos(A1, { charge: true }));
    assert.equal(result.written, false);
    assert.deepEqual(result.state, { charge: true, discharge: true });
    assert.equal(w.radio.events.filter((e) => e.type === "write" && e.data?.startsWith("dd5a")).length, 0);
  } finally {
    await w.dispose();
  }
});

test("MOS: charge off is written, acknowledged, factory mode exited, and verified by read-back", async () => {
  const w = fakeWorld();
  try {
    const result = await w.run(w.pool.setMos(A1, { charge: false }));
    assert.equal(result.written, true);
    assert.equal(result.verified, true);
    assert.deepEqual(result.previous, { charge: true, discharge: true });
    assert.deepEqual(result.state, { charge: false, discharge: true });
    const writes = w.radio.events.filter((e) => e.type === "write").map((e) => e.data);
    assert.deepEqual(writes, ["dda50300fffd77", "dd5ae1020001ff1c77", "dd5a01020000fffd77", "dda50300fffd77"]);
    // The discharge port stays as it was; switching charge back on clears the lock.
    const back = await w.run(w.pool.setMos(A1, { charge: true }));
    assert.deepEqual(back.state, { charge: true, discharge: true });
    assert.equal(w.radio.battery(A1).lockMask, 0);
  } finally {
    await w.dispose();
  }
});

test("MOS: a port off by protection is not software-locked when the other port is switched", async () => {
  const w = fakeWorld();
  try {
    w.radio.battery(A1).protectionOff = 0b10; // discharge FET off by a protection, not by software
    const result = await w.run(w.pool.setMos(A1, { charge: false }));
    assert.deepEqual(result.state, { charge: false, discharge: false });
    assert.equal(w.radio.battery(A1).lockMask, 0b01, "only the charge port is software-locked");
  } finally {
    await w.dispose();
  }
});

test("MOS: a read-back that disagrees is MOS_NOT_CONFIRMED with the state read", async () => {
  const w = fakeWorld();
  try {
    w.radio.battery(A1).refuseLock = true;
    const outcome = await w.settle(w.pool.setMos(A1, { discharge: false }));
    assert.equal(codeOf(outcome), "MOS_NOT_CONFIRMED");
    const details = (outcome as { error: BmsError }).error.details;
    assert.deepEqual(details, {
      state: { charge: true, discharge: true },
      previous: { charge: true, discharge: true },
      requested: { charge: true, discharge: false },
    });
    // The link stays: the BMS answered, it just did not switch.
    assert.equal(w.pool.linkState(A1), "idle");
  } finally {
    await w.dispose();
  }
});

test("MOS: a malformed request is INVALID_INPUT and writes nothing", async () => {
  const w = fakeWorld();
  try {
    const outcome = await w.settle(w.pool.setMos(A1, { charge: "off" as unknown as boolean }));
    assert.equal(codeOf(outcome), "INVALID_INPUT");
    assert.equal(w.radio.count("connect-start"), 0);
  } finally {
    await w.dispose();
  }
});

test("one request in flight is the lease's to keep: a second operation at once on one session is refused, not interleaved", async () => {
  const w = fakeWorld();
  try {
    const link = await w.run(w.central.connect(A1, { scanTimeoutMs: 5_000, timeoutMs: 5_000 }));
    const session = new BmsSession(link, { commandTimeoutMs: 3_000 });
    const mark = w.radio.count("write");
    const [first, second] = await w.run(Promise.allSettled([session.poll(), session.poll()]));
    assert.equal(first.status, "fulfilled");
    assert.equal(second.status, "rejected");
    assert.match(String((second as PromiseRejectedResult).reason), /while another is in flight/);
    assert.deepEqual(
      w.radio.events
        .filter((e) => e.type === "write")
        .slice(mark)
        .map((e) => e.data?.slice(4, 6)),
      ["03", "04", "05"],
      "only the first operation's requests went out",
    );
    session.dispose(new BmsError("LINK_LOST", "test over"));
    await w.run(link.close());
  } finally {
    await w.dispose();
  }
});
