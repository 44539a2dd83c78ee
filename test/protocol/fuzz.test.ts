import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import fc from "fast-check";
import {
  buildPayload,
  checkStatus,
  decodeBasicInfo,
  decodeCellVoltages,
  decodeHardwareVersion,
  decodeMosRequest,
  decodeRequest,
  encodeMosRequest,
  encodeReadRequest,
  encodeResponse,
  type Frame,
  FrameAssembler,
  isAck,
  isRequestEcho,
  MAX_FRAME_LENGTH,
  ProtocolError,
  parseFrame,
  toHex,
} from "../../src/protocol";
import { basicInfoFrame, concatBytes } from "./bytes";
import { publicFrames } from "./public-frames";

/** Cases per property: ~500 keeps `npm test` quick; `npm run fuzz` sets FUZZ_RUNS=1000000. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

function property<Ts>(t: TestContext, name: string, prop: fc.IRawProperty<Ts>): void {
  const started = process.hrtime.bigint();
  fc.assert(prop, { numRuns: RUNS });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.diagnostic(`${name}: ${RUNS} runs in ${ms.toFixed(0)} ms`);
}

/** Cuts bytes at arbitrary points, like notifications of any size would. */
function cutAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    parts.push(bytes.subarray(from, point));
    from = point;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

const cuts = fc.array(fc.nat(), { maxLength: 16 });

/** Raw 0x03 fields with arbitrary values, NTC counts and tails. */
const basicInfoFieldsArb = fc.record({
  voltage10mV: fc.integer({ min: 0, max: 0xffff }),
  current10mA: fc.integer({ min: -0x8000, max: 0x7fff }),
  residual10mAh: fc.integer({ min: 0, max: 0xffff }),
  nominal10mAh: fc.integer({ min: 0, max: 0xffff }),
  cycles: fc.integer({ min: 0, max: 0xffff }),
  dateWord: fc.integer({ min: 0, max: 0xffff }),
  balanceLow: fc.integer({ min: 0, max: 0xffff }),
  balanceHigh: fc.integer({ min: 0, max: 0xffff }),
  protection: fc.integer({ min: 0, max: 0xffff }),
  version: fc.integer({ min: 0, max: 0xff }),
  soc: fc.integer({ min: 0, max: 0xff }),
  fet: fc.integer({ min: 0, max: 0xff }),
  cells: fc.integer({ min: 0, max: 48 }),
  temperaturesDeciKelvin: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 8 }),
  tail: fc.array(fc.integer({ min: 0, max: 0xff }), { maxLength: 20 }),
});

/** 0x03 frames with the real field layout. */
const basicInfoArb = basicInfoFieldsArb.map((fields) => basicInfoFrame(fields));

const capturedFrames = publicFrames
  .filter((f) => f.hex.startsWith("dd"))
  .map((f) => Uint8Array.from(Buffer.from(f.hex, "hex")));

/** Whole frames of every kind the link carries: captured ones, 0x03 layouts, any register/status, requests. */
const frameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(...capturedFrames),
  basicInfoArb,
  fc
    .record({
      register: fc.oneof(fc.constantFrom(0x03, 0x04, 0x05, 0xe1, 0x01, 0xaa), fc.integer({ min: 0, max: 0xff })),
      // The statuses a JBD BMS sends (PROTOCOL 2.2); a 0xDD followed by any other status is junk by design.
      status: fc.oneof(fc.constant(0), fc.constantFrom(0x80, 0x81, 0x82, 0x83)),
      data: fc.uint8Array({ maxLength: 64 }),
    })
    .map(({ register, status, data }) => encodeResponse(register, status, data)),
  fc.integer({ min: 0, max: 0xff }).map((register) => encodeReadRequest(register)),
  fc.record({ charge: fc.boolean(), discharge: fc.boolean() }).map((mos) => encodeMosRequest(mos)),
);

type Mutation = { kind: "flip" | "delete" | "insert" | "duplicate"; at: number; byte: number };
const mutationArb = fc.record({
  kind: fc.constantFrom("flip", "delete", "insert", "duplicate") as fc.Arbitrary<Mutation["kind"]>,
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 0xff }),
});

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  const out = [...bytes];
  for (const { kind, at, byte } of mutations) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === "flip" && out.length > 0) out[i] = (out[i] as number) ^ (byte | 1);
    else if (kind === "delete") out.splice(i, 1);
    else if (kind === "insert") out.splice(i, 0, byte);
    else out.splice(i, 0, ...out.slice(i, i + 1 + (byte % 20)));
  }
  return Uint8Array.from(out);
}

/** A yielded frame must be exactly one whole frame with a correct checksum and consistent fields. */
function assertSoundFrame(frame: Frame): void {
  const reparsed = parseFrame(frame.raw);
  assert.equal(toHex(reparsed.data), toHex(frame.data));
  assert.equal(reparsed.register, frame.register);
  assert.equal(reparsed.status, frame.status);
}

/** Every decoder on every frame: a value or a ProtocolError, nothing else. */
function assertDecodersOnlyThrowProtocolErrors(frame: Frame): void {
  const attempt = <T>(decode: () => T): T | undefined => {
    try {
      return decode();
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${error}`);
      return undefined;
    }
  };
  const basic = attempt(() => decodeBasicInfo(frame));
  const cells = attempt(() => decodeCellVoltages(frame));
  attempt(() => decodeHardwareVersion(frame));
  attempt(() => checkStatus(frame));
  attempt(() => decodeRequest(frame));
  attempt(() => decodeMosRequest(frame));
  isAck(frame, frame.register);
  isRequestEcho(frame, frame.raw);
  if (basic !== undefined) {
    assert.equal(basic.balancing.length, basic.cellCount);
    const payload = buildPayload(
      basic,
      cells?.length === basic.cellCount ? cells : basic.balancing.map(() => 3.3),
      null,
    );
    assert.ok(Number.isFinite(payload.power) && Number.isFinite(payload.energyStored));
  }
}

/** Feeds chunks and checks the invariants that hold for any input at all. */
function feedChecked(chunks: Uint8Array[]): { frames: Frame[]; rejected: ProtocolError[] } {
  const rejected: ProtocolError[] = [];
  const assembler = new FrameAssembler({ onReject: (error) => rejected.push(error) });
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    frames.push(...assembler.push(chunk));
    assert.ok(assembler.bufferedBytes < MAX_FRAME_LENGTH, `holds ${assembler.bufferedBytes} bytes`);
  }
  for (const error of rejected) assert.equal(error.code, "BAD_FRAME");
  return { frames, rejected };
}

describe(`protocol fuzzing (${RUNS} runs per property)`, () => {
  it("random bytes: push never throws, stays bounded, yields only sound frames", (t) => {
    property(
      t,
      "random bytes",
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        for (const frame of feedChecked(chunks).frames) {
          assertSoundFrame(frame);
          assertDecodersOnlyThrowProtocolErrors(frame);
        }
      }),
    );
  });

  it("random bytes rich in 0xDD headers and 0x77 tails", (t) => {
    const byte = fc.oneof(fc.constantFrom(0xdd, 0x77, 0x00, 0x03, 0x04, 0xff), fc.integer({ min: 0, max: 0xff }));
    property(
      t,
      "header-rich bytes",
      fc.property(fc.array(byte, { maxLength: 600 }), cuts, (bytes, at) => {
        for (const frame of feedChecked(cutAt(Uint8Array.from(bytes), at)).frames) {
          assertSoundFrame(frame);
          assertDecodersOnlyThrowProtocolErrors(frame);
        }
      }),
    );
  });

  it("mutated streams of real frames: only sound frames, decoders throw only ProtocolError", (t) => {
    property(
      t,
      "mutated frames",
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 6 }),
        fc.array(mutationArb, { maxLength: 6 }),
        cuts,
        (frames, mutations, at) => {
          const stream = mutate(concatBytes(...frames), mutations);
          for (const frame of feedChecked(cutAt(stream, at)).frames) {
            assertSoundFrame(frame);
            assertDecodersOnlyThrowProtocolErrors(frame);
          }
        },
      ),
    );
  });

  it("good frames between junk without 0xDD all come out, in order, however the stream is cut", (t) => {
    const junk = fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.filter((b) => b !== 0xdd));
    property(
      t,
      "frames in junk",
      fc.property(fc.array(fc.tuple(junk, frameArb), { minLength: 1, maxLength: 6 }), junk, cuts, (pairs, end, at) => {
        const stream = concatBytes(...pairs.flat(), end);
        const { frames } = feedChecked(cutAt(stream, at));
        assert.deepEqual(
          frames.map((f) => toHex(f.raw)),
          pairs.map(([, frame]) => toHex(frame)),
        );
      }),
    );
  });
  it("decodeBasicInfo reads every field at its documented offset and scale", (t) => {
    property(
      t,
      "basic info fields",
      fc.property(basicInfoFieldsArb, (f) => {
        const info = decodeBasicInfo(parseFrame(basicInfoFrame(f)));
        const scale = f.fet & 0x80 ? 10 : 1;
        assert.equal(info.voltage, f.voltage10mV / 100);
        assert.equal(info.current, (f.current10mA * scale) / 100);
        assert.equal(info.residualCapacity, (f.residual10mAh * scale) / 100);
        assert.equal(info.nominalCapacity, (f.nominal10mAh * scale) / 100);
        assert.equal(info.cycles, f.cycles);
        assert.equal(info.stateOfCharge, f.soc);
        assert.equal(info.cellCount, f.cells);
        assert.deepEqual(info.mos, { charge: (f.fet & 1) === 1, discharge: (f.fet & 2) === 2 });
        assert.deepEqual(
          info.temperatures,
          f.temperaturesDeciKelvin.map((k) => (k - 2731) / 10),
        );
        const balanceBits = f.balanceLow + f.balanceHigh * 0x10000;
        info.balancing.forEach((on, cell) => {
          assert.equal(on, cell < 32 && Math.floor(balanceBits / 2 ** cell) % 2 === 1);
        });
        assert.equal(
          info.protectionActive.length,
          [...(f.protection & 0x1fff).toString(2)].filter((b) => b === "1").length,
        );
        assert.equal(info.extra === undefined, f.tail.length === 0);
        if (f.tail.length >= 9) assert.equal(info.extra?.humidity, f.tail[0]);
        if (f.tail.length !== 9 && f.tail.length > 0) assert.ok(info.extra?.unknownTail);
        if (info.productionDate !== null) {
          const [year, month, day] = info.productionDate.split("-").map(Number);
          assert.equal(((year! - 2000) << 9) | (month! << 5) | day!, f.dateWord);
        }
      }),
    );
  });
});
