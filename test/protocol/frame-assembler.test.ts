import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  encodeFrame,
  encodeReadRequest,
  FrameAssembler,
  MAX_FRAME_LENGTH,
  type ProtocolError,
  toHex,
} from "../../src/protocol";
import { basicInfoFrame, concatBytes, fromHex, splitEvery } from "./bytes";

const CELLS = fromHex("dd0400080f450f3d0f370f3dfec677");
const ACK = fromHex("dde10000000077");

function collecting() {
  const rejected: ProtocolError[] = [];
  const assembler = new FrameAssembler({ onReject: (error) => rejected.push(error) });
  return { assembler, rejected, feed: (...chunks: Uint8Array[]) => chunks.flatMap((c) => assembler.push(c)) };
}

const hexes = (frames: { raw: Uint8Array }[]) => frames.map((f) => toHex(f.raw));

describe("FrameAssembler", () => {
  it("cuts by the length byte, not at a 0x77 data byte", () => {
    // 13.99 V is 0x0577 and puts 0x77 at the end of the first 6 bytes (305.83 Ah is 0x7777): a reassembler that
    // stops at "ends with 77" would cut there.
    const frame = basicInfoFrame({ voltage: 13.99, residualCapacity: 305.83 });
    assert.equal(toHex(frame.subarray(4, 10)), "057700007777");
    const { feed, rejected } = collecting();
    assert.deepEqual(hexes(feed(frame.subarray(0, 6), frame.subarray(6))), [toHex(frame)]);
    assert.deepEqual(rejected, []);
  });

  it("returns several frames from one chunk, in order", () => {
    const { feed } = collecting();
    assert.deepEqual(hexes(feed(concatBytes(ACK, CELLS, ACK))), [toHex(ACK), toHex(CELLS), toHex(ACK)]);
  });

  it("accepts an empty ack whose checksum is 0x0000", () => {
    const { feed } = collecting();
    const [ack] = feed(ACK);
    assert.equal(ack?.register, 0xe1);
    assert.equal(ack?.status, 0);
    assert.equal(ack?.data.length, 0);
  });

  it("skips junk and UP16S telemetry without reporting it", () => {
    const { feed, rejected, assembler } = collecting();
    const telemetry = fromHex("0251 0010 0a0b0c0d0e0f a1");
    assert.deepEqual(hexes(feed(fromHex("000102"), telemetry, CELLS, telemetry)), [toHex(CELLS)]);
    assert.deepEqual(rejected, []);
    assert.equal(assembler.bufferedBytes, 0);
  });

  it("reports a bad checksum and still finds the good frame that follows", () => {
    const bad = Uint8Array.from(CELLS);
    bad[5] = (bad[5]! + 1) & 0xff;
    const { feed, rejected } = collecting();
    assert.deepEqual(hexes(feed(bad, CELLS)), [toHex(CELLS)]);
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.code, "BAD_FRAME");
    assert.equal(rejected[0]?.reason, "checksum");
  });

  it("reports a wrong end marker", () => {
    const bad = Uint8Array.from(ACK);
    bad[6] = 0x78;
    const { feed, rejected } = collecting();
    assert.deepEqual(hexes(feed(bad, ACK)), [toHex(ACK)]);
    assert.equal(rejected[0]?.reason, "tail");
  });

  it("keeps a genuine frame whose data holds a whole valid frame, instead of returning the one inside", () => {
    // A 13.20 V 0x03 whose trailer happens to carry a complete, checksummed 99.99 V 0x03 frame. The inner frame is
    // whole long before the outer one: it must not replace it.
    const inner = basicInfoFrame({ voltage: 99.99, temperatures: [] });
    // Bytes after it, so the notification that completes the inner frame does not complete the outer one too.
    const v11 = { humidity: 0, alarm: 0, fullChargeCapacity: 0, remainingCapacity: 0, balanceCurrent: 0 };
    const tail = toHex(Uint8Array.from([...inner, ...new Array(20).fill(0)]));
    const genuine = basicInfoFrame({ voltage: 13.2, extra: { ...v11, unknownTail: tail } });
    const { feed, rejected, assembler } = collecting();
    const frames = splitEvery(genuine, 20).flatMap((chunk) => feed(chunk));
    assert.deepEqual(hexes(frames), [toHex(genuine)]);
    assert.deepEqual(rejected, []);
    assert.equal(assembler.bufferedBytes, 0);
  });

  it("recovers a frame cut off by the next frame's header once the cut-off frame's own length has arrived", () => {
    // The shape of the dump in PROTOCOL 7: dd03001b053000 (34 bytes declared, 7 sent), then whole 0x04 replies.
    const cut = fromHex("dd03001b053000");
    const { feed, rejected, assembler } = collecting();
    assert.deepEqual(feed(cut), []);
    assert.deepEqual(
      splitEvery(CELLS, 20).flatMap((chunk) => feed(chunk)),
      [],
      "22 of the 34 declared bytes: the cut-off frame is not decided yet, and nothing inside it is taken",
    );
    assert.equal(rejected.length, 0);
    const frames = splitEvery(CELLS, 20).flatMap((chunk) => feed(chunk));
    assert.deepEqual(hexes(frames), [toHex(CELLS), toHex(CELLS)]);
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.reason, "tail");
    assert.equal(rejected[0]?.details?.frame, toHex(concatBytes(cut, CELLS, CELLS).subarray(0, 34)));
    assert.equal(assembler.bufferedBytes, 0);
  });

  it("finds a real frame inside a bogus header's window once that window is complete", () => {
    // A junk 0xDD whose "length" 0xF0 covers the next real frame and more: the real frame is taken once the 247
    // bytes the junk header announces are in and fail its checks.
    const { feed, rejected } = collecting();
    assert.deepEqual(feed(fromHex("dd0300f0"), CELLS), []);
    assert.deepEqual(hexes(feed(new Uint8Array(0xf0 + 7 - 4 - CELLS.length))), [toHex(CELLS)]);
    assert.deepEqual(
      rejected.map((e) => e.reason),
      ["tail"],
    );
    // A bogus header whose window ends inside the real frame is complete, fails its checks, and the scan restarts
    // at the next 0xDD.
    const second = collecting();
    assert.deepEqual(hexes(second.feed(fromHex("dd030005"), CELLS)), [toHex(CELLS)]);
    assert.deepEqual(
      second.rejected.map((e) => e.reason),
      ["tail"],
    );
  });

  it("skips a 0xDD whose header cannot start a JBD frame, so it holds no reply hostage", () => {
    // The rest of a damaged 0x04 reply, arriving after the session has asked again: a cell at 3.293 V is 0x0CDD,
    // and "DD 0C E4 F1" would announce 248 bytes. Status 0xE4 is no JBD status (0x00, 0x80-0x83) and 0x0C is no
    // request operation (0xA5, 0x5A), so it is junk; the retry's reply behind it comes out at once.
    const remnant = fromHex("0cdf0ce60cde0ce50ce50ce00cdd0ce4f10d77");
    const { feed, rejected, assembler } = collecting();
    assert.deepEqual(feed(remnant), []);
    assert.equal(assembler.bufferedBytes, 0, "nothing held for the junk header");
    assert.deepEqual(hexes(splitEvery(CELLS, 20).flatMap((chunk) => feed(chunk))), [toHex(CELLS)]);
    assert.deepEqual(rejected, []);
  });

  it("takes a flood of frame headers apart with one report, never holding more than one frame", () => {
    // DD 00 00 DD 00 00 …: every third byte starts a header with status 0x00 announcing 228 bytes.
    const { assembler, rejected } = collecting();
    const flood = Uint8Array.from({ length: 21 }, (_, i) => (i % 3 === 0 ? 0xdd : 0x00));
    for (let i = 0; i < 500; i++) {
      assert.deepEqual(assembler.push(flood), []);
      assert.ok(assembler.bufferedBytes < MAX_FRAME_LENGTH, `${assembler.bufferedBytes} bytes held`);
    }
    // One report for the whole bad stretch, not one per byte: a broken peripheral costs no more than a healthy one.
    assert.deepEqual(
      rejected.map((e) => e.reason),
      ["tail"],
    );
    // The real frame arrives after the flood; it comes out once the last flood candidate's window is complete.
    const frames = [CELLS, ...Array.from({ length: 20 }, () => CELLS)].flatMap((frame) => assembler.push(frame));
    assert.ok(frames.length > 0);
    assert.ok(frames.every((frame) => toHex(frame.raw) === toHex(CELLS)));
  });

  it("reports a damaged reply of another register inside a bad stretch, so the request waiting for it fails fast", () => {
    // A bogus 0x03 candidate whose window holds a damaged 0x04 reply: the session fails a waiting 0x04 request at
    // once only if the assembler tells it about a rejected 0x04 candidate.
    const damagedCells = Uint8Array.from(CELLS);
    damagedCells[6] = (damagedCells[6] as number) ^ 0x01;
    const bogus = concatBytes(fromHex("dd030010"), damagedCells, fromHex("00"), fromHex("0000 77"));
    const { feed, rejected } = collecting();
    assert.deepEqual(feed(bogus), []);
    assert.deepEqual(
      rejected.map((e) => e.register),
      [0x03, 0x04],
    );
  });

  it("rescans from the byte after a rejected start, so a frame inside a bad frame's window survives", () => {
    // A complete bogus candidate (length 8 covers the ack) whose checksum fails: the ack inside it is found.
    const bogus = concatBytes(fromHex("dd990008"), ACK, fromHex("00 1234 77"));
    const { feed, rejected } = collecting();
    assert.deepEqual(hexes(feed(bogus)), [toHex(ACK)]);
    assert.equal(rejected[0]?.reason, "checksum");
  });

  it("waits for the rest of a frame without reporting anything", () => {
    const { feed, rejected, assembler } = collecting();
    assert.deepEqual(feed(CELLS.subarray(0, 3)), []);
    assert.deepEqual(feed(CELLS.subarray(3, 10)), []);
    assert.equal(assembler.bufferedBytes, 10);
    assert.deepEqual(hexes(feed(CELLS.subarray(10))), [toHex(CELLS)]);
    assert.deepEqual(rejected, []);
  });

  it("reset() forgets a partial frame", () => {
    const { feed, assembler } = collecting();
    feed(CELLS.subarray(0, 8));
    assembler.reset();
    assert.equal(assembler.bufferedBytes, 0);
    assert.deepEqual(feed(CELLS.subarray(8)), []);
    assert.deepEqual(hexes(feed(CELLS)), [toHex(CELLS)]);
  });

  it("passes an echoed request through as a frame (register 0xA5) so the session can spot it", () => {
    const request = encodeReadRequest(0x03);
    const { feed } = collecting();
    const [echo] = feed(request);
    assert.equal(echo?.register, 0xa5);
    assert.equal(echo?.status, 0x03);
  });

  it("keeps memory bounded whatever it is fed", () => {
    const { assembler } = collecting();
    const noise = new Uint8Array(10_000).map((_, i) => (i * 73 + 0xdd * (i % 3)) & 0xff);
    for (const chunk of splitEvery(noise, 20)) {
      assembler.push(chunk);
      assert.ok(assembler.bufferedBytes < MAX_FRAME_LENGTH, `${assembler.bufferedBytes} bytes held`);
    }
    for (let i = 0; i < 100; i++) assembler.push(fromHex("dd03ff"));
    assert.ok(assembler.bufferedBytes < MAX_FRAME_LENGTH);
  });

  it("takes a chunk far longer than a frame apart in one push", () => {
    const { feed, rejected, assembler } = collecting();
    const headers = Uint8Array.from({ length: 5_001 }, (_, i) => (i % 3 === 0 ? 0xdd : 0x00));
    const big = concatBytes(new Uint8Array(5_000).fill(0xdd), headers, ...Array.from({ length: 40 }, () => CELLS), ACK);
    const frames = feed(big);
    assert.equal(frames.length, 41);
    assert.equal(toHex(frames.at(-1)!.raw), toHex(ACK));
    assert.equal(rejected.length, 1, "the run of headers is one bad stretch; the plain 0xDD run is junk");
    assert.equal(assembler.bufferedBytes, 0);
    assert.deepEqual(hexes(feed(CELLS)), [toHex(CELLS)]);
  });

  it("does not alias the caller's buffer", () => {
    const chunk = Buffer.from(encodeFrame(0x05, 0, Buffer.from("JBD")));
    const { feed } = collecting();
    const [frame] = feed(chunk);
    chunk.fill(0);
    assert.equal(Buffer.from(frame!.data).toString(), "JBD");
  });

  it("throws a TypeError naming the argument for anything but bytes, and keeps what it holds", () => {
    const { feed, rejected, assembler } = collecting();
    feed(CELLS.subarray(0, 8));
    for (const notBytes of [null, undefined, "dd0400", [0xdd, 0x04], 5, {}]) {
      assert.throws(
        () => assembler.push(notBytes as never),
        (e) => e instanceof TypeError && /push\(\) takes a Uint8Array or Buffer/.test(e.message),
        String(notBytes),
      );
    }
    assert.equal(assembler.bufferedBytes, 8);
    assert.deepEqual(hexes(feed(CELLS.subarray(8))), [toHex(CELLS)]);
    assert.deepEqual(rejected, []);
  });

  it("leaves its state consistent when onReject throws", () => {
    const bad = Uint8Array.from(ACK);
    bad[5] = 1;
    const assembler = new FrameAssembler({
      onReject: () => {
        throw new Error("listener bug");
      },
    });
    assert.throws(() => assembler.push(bad), /listener bug/);
    assert.equal(assembler.bufferedBytes, 0);
    assert.equal(assembler.push(ACK).length, 1);
  });

  it("reports a thrown-away candidate with its register and the length its header announced as fields", () => {
    const { feed, rejected } = collecting();
    const damaged = Uint8Array.from(CELLS);
    damaged[5] = (damaged[5] as number) ^ 0xff;
    assert.deepEqual(feed(damaged), []);
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.reason, "checksum");
    assert.equal(rejected[0]?.register, 0x04);
    assert.equal(rejected[0]?.declaredLength, CELLS.length);
  });
});
