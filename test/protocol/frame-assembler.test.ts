import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  encodeReadRequest,
  encodeResponse,
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

  it("gives up a frame cut off by the next frame's header as soon as that frame is whole (PROTOCOL 7)", () => {
    // The shape of the dump in PROTOCOL 7: dd03001b053000 then a whole 0x04 reply.
    const cut = fromHex("dd03001b053000");
    const { feed, rejected, assembler } = collecting();
    assert.deepEqual(feed(cut), []);
    assert.equal(assembler.bufferedBytes, cut.length);
    const frames = splitEvery(CELLS, 20).flatMap((chunk) => feed(chunk));
    assert.deepEqual(hexes(frames), [toHex(CELLS)]);
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.reason, "truncated");
    assert.equal(assembler.bufferedBytes, 0);
  });

  it("keeps a real frame that a bogus header's length byte would swallow", () => {
    // A junk 0xDD whose "length" 0xF0 covers the next real frame and more: the real frame comes out at once.
    const { feed, rejected } = collecting();
    assert.deepEqual(hexes(feed(fromHex("dd0300f0"), CELLS)), [toHex(CELLS)]);
    assert.equal(rejected[0]?.reason, "truncated");
    // A bogus header whose window ends inside the real frame is complete, fails its checks, and the scan restarts
    // at the next 0xDD.
    const second = collecting();
    assert.deepEqual(hexes(second.feed(fromHex("dd030005"), CELLS)), [toHex(CELLS)]);
    assert.deepEqual(
      second.rejected.map((e) => e.reason),
      ["tail"],
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

  it("does not alias the caller's buffer", () => {
    const chunk = Buffer.from(encodeResponse(0x05, 0, Buffer.from("JBD")));
    const { feed } = collecting();
    const [frame] = feed(chunk);
    chunk.fill(0);
    assert.equal(Buffer.from(frame!.data).toString(), "JBD");
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
});
