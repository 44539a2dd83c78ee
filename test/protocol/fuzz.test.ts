import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import fc from "fast-check";
import {
  AuthReplyReader,
  type BasicInfo,
  buildPayload,
  checkStatus,
  decodeAuthReply,
  decodeBasicInfo,
  decodeCellVoltages,
  decodeHardwareVersion,
  decodeMosRequest,
  decodeRequest,
  type EncodableBasicInfo,
  encodeAuthAppKey,
  encodeAuthPassword,
  encodeAuthRandomRequest,
  encodeAuthReply,
  encodeAuthRoot,
  encodeBasicInfo,
  encodeFrame,
  encodeMosRequest,
  encodeReadRequest,
  type Frame,
  FrameAssembler,
  isAck,
  isRequestEcho,
  MAX_FRAME_LENGTH,
  ProtocolError,
  parseFrame,
  toHex,
} from "../../src/protocol";
import { concatBytes } from "./bytes";
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

/**
 * Raw 0x03 data with the real layout: 23 arbitrary fixed bytes whose NTC count (byte 22) matches the arbitrary
 * temperature bytes that follow, then an arbitrary tail.
 */
const basicInfoDataArb = fc
  .tuple(
    fc.uint8Array({ minLength: 23, maxLength: 23 }),
    fc.integer({ min: 0, max: 8 }).chain((ntc) => fc.uint8Array({ minLength: 2 * ntc, maxLength: 2 * ntc })),
    fc.uint8Array({ maxLength: 20 }),
  )
  .map(([fixed, temperatures, tail]) => {
    const data = Buffer.concat([fixed, temperatures, tail]);
    data[22] = temperatures.length / 2;
    return data;
  });

/** 0x03 frames with the real field layout. */
const basicInfoArb = basicInfoDataArb.map((data) => encodeFrame(0x03, 0, data));

const decodeBytes = (bytes: Uint8Array) => decodeBasicInfo(parseFrame(bytes));

/** What encodeBasicInfo reads of a decoded BasicInfo (the derived flags and names left out). */
function encodable(info: BasicInfo): EncodableBasicInfo {
  const { protection: _flags, protectionActive: _names, extra, ...rest } = info;
  if (extra === undefined) return rest;
  const { alarmActive: _alarmNames, ...extraRest } = extra;
  return { ...rest, extra: extraRest };
}

/** Values on the wire's grid (whole 10 mV, 10 mA, 10 mAh, 0.1 K, 1 mA), so the round trip is exact. */
const hundredths = (min: number, max: number) => fc.integer({ min, max }).map((raw) => raw / 100);
const productionDateArb = fc.oneof(
  fc.constant(null),
  fc
    .date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2127, 11, 31)), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
);
const trailerArb = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ({ unknownTail: toHex(bytes) })),
  fc.record(
    {
      humidity: fc.integer({ min: 0, max: 0xff }),
      alarm: fc.integer({ min: 0, max: 0xffff }),
      fullChargeCapacity: hundredths(0, 0xffff),
      remainingCapacity: hundredths(0, 0xffff),
      balanceCurrent: fc.integer({ min: 0, max: 0xffff }).map((mA) => mA / 1000),
      unknownTail: fc.uint8Array({ minLength: 1, maxLength: 10 }).map(toHex),
    },
    // Plain objects, as the decoder returns (fast-check otherwise sometimes builds records on a null prototype).
    {
      requiredKeys: ["humidity", "alarm", "fullChargeCapacity", "remainingCapacity", "balanceCurrent"],
      noNullPrototype: true,
    },
  ),
);
const encodableArb: fc.Arbitrary<EncodableBasicInfo> = fc
  .integer({ min: 0, max: 48 })
  .chain((cellCount) =>
    fc.record(
      {
        voltage: hundredths(0, 0xffff),
        current: hundredths(-0x8000, 0x7fff),
        residualCapacity: hundredths(0, 0xffff),
        nominalCapacity: hundredths(0, 0xffff),
        cycles: fc.integer({ min: 0, max: 0xffff }),
        productionDate: productionDateArb,
        balancing: fc
          .array(fc.boolean(), { minLength: cellCount, maxLength: cellCount })
          .map((flags) => flags.map((on, cell) => on && cell < 32)),
        protectionWord: fc.integer({ min: 0, max: 0xffff }),
        softwareVersion: fc
          .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }))
          .map(([major, minor]) => `${major}.${minor}`),
        stateOfCharge: fc.integer({ min: 0, max: 0xff }),
        mos: fc.record({ charge: fc.boolean(), discharge: fc.boolean() }, { noNullPrototype: true }),
        cellCount: fc.constant(cellCount),
        temperatures: fc.array(
          fc.oneof(
            fc.constant(null),
            fc.integer({ min: 1, max: 0xffff }).map((raw) => (raw - 2731) / 10),
          ),
          { maxLength: 8 },
        ),
        extra: trailerArb,
      },
      { noNullPrototype: true },
    ),
  )
  .map(({ extra, ...info }) => (extra === undefined ? info : { ...info, extra }));

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
    .map(({ register, status, data }) => encodeFrame(register, status, data)),
  fc.integer({ min: 0, max: 0xff }).map((register) => encodeReadRequest(register)),
  fc.record({ charge: fc.boolean(), discharge: fc.boolean() }).map((mos) => encodeMosRequest(mos)),
);

/** Whole FF AA frames: replies with any command and byte, and the central's requests. */
const authFrameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .tuple(fc.constantFrom(0x15, 0x16, 0x17, 0x18, 0x1d), fc.integer({ min: 0, max: 0xff }))
    .map(([command, value]) => encodeAuthReply(command, value)),
  fc.integer({ min: 0, max: 0xff }).map((random) => encodeAuthRoot("a4:c1:37:04:2d:be", random)),
  fc
    .tuple(fc.stringMatching(/^[0-9a-zA-Z]{6}$/), fc.integer({ min: 0, max: 0xff }))
    .map(([password, random]) => encodeAuthPassword("10:a5:62:32:75:36", password, random)),
  fc.constantFrom(encodeAuthAppKey(), encodeAuthRandomRequest()),
);

/** FF AA replies only (what AuthReplyReader must find). */
const authReplyArb = fc
  .tuple(fc.constantFrom(0x15, 0x16, 0x17, 0x18, 0x1d), fc.integer({ min: 0, max: 0xff }))
  .map(([command, value]) => encodeAuthReply(command, value));

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
  it("decodeAuthReply throws only ProtocolError, on random and on mutated FF AA frames", (t) => {
    const decodeOrProtocolError = (bytes: Uint8Array) => {
      try {
        const reply = decodeAuthReply(bytes);
        assert.equal(typeof reply.command, "number");
      } catch (error) {
        assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${error}`);
        assert.equal(error.code, "BAD_FRAME");
      }
    };
    property(
      t,
      "auth replies",
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 24 }), authFrameArb),
        fc.array(mutationArb, { maxLength: 4 }),
        (bytes, mutations) => decodeOrProtocolError(mutate(bytes, mutations)),
      ),
    );
  });

  it("AuthReplyReader: never throws, holds under 6 bytes, finds every reply between DD frames and junk", (t) => {
    const junk = fc.uint8Array({ maxLength: 30 }).map((bytes) => bytes.filter((b) => b !== 0xff));
    property(
      t,
      "auth reader",
      fc.property(
        fc.array(fc.tuple(fc.oneof(junk, frameArb), authReplyArb), { minLength: 1, maxLength: 6 }),
        fc.array(mutationArb, { maxLength: 3 }),
        cuts,
        (pairs, mutations, at) => {
          const clean = concatBytes(...pairs.flat());
          const want = pairs.map(([, reply]) => toHex(reply));
          for (const stream of [clean, mutate(clean, mutations)]) {
            const reader = new AuthReplyReader({ onReject: (error) => assert.equal(error.code, "BAD_FRAME") });
            const got: string[] = [];
            for (const chunk of cutAt(stream, at)) {
              for (const reply of reader.push(chunk)) {
                got.push(toHex(encodeAuthReply(reply.command, reply.random ?? reply.status)));
              }
              assert.ok(reader.bufferedBytes < 6, `holds ${reader.bufferedBytes} bytes`);
            }
            // Untouched: exactly the replies, in order, unless a DD frame's data happens to hold a valid reply.
            if (stream === clean && !pairs.some(([before]) => toHex(before).includes("ffaa"))) {
              assert.deepEqual(got, want);
            }
          }
        },
      ),
    );
  });

  it("decodeBasicInfo reads every field at its documented offset and scale", (t) => {
    property(
      t,
      "basic info fields",
      fc.property(basicInfoDataArb, (data) => {
        const info = decodeBasicInfo(parseFrame(encodeFrame(0x03, 0, data)));
        const fet = data[20]!;
        const scale = fet & 0x80 ? 10 : 1;
        const ntc = data[22]!;
        const tail = data.subarray(23 + 2 * ntc);
        assert.equal(info.voltage, data.readUInt16BE(0) / 100);
        assert.equal(info.current, (data.readInt16BE(2) * scale) / 100);
        assert.equal(info.residualCapacity, (data.readUInt16BE(4) * scale) / 100);
        assert.equal(info.nominalCapacity, (data.readUInt16BE(6) * scale) / 100);
        assert.equal(info.cycles, data.readUInt16BE(8));
        assert.equal(info.stateOfCharge, data[19]);
        assert.equal(info.cellCount, data[21]);
        assert.deepEqual(info.mos, { charge: (fet & 1) === 1, discharge: (fet & 2) === 2 });
        assert.deepEqual(
          info.temperatures,
          Array.from({ length: ntc }, (_, i) => data.readUInt16BE(23 + 2 * i)).map((k) =>
            k === 0 ? null : (k - 2731) / 10,
          ),
        );
        const balanceBits = data.readUInt16BE(12) + data.readUInt16BE(14) * 0x10000;
        info.balancing.forEach((on, cell) => {
          assert.equal(on, cell < 32 && Math.floor(balanceBits / 2 ** cell) % 2 === 1);
        });
        const protection = data.readUInt16BE(16);
        assert.equal(info.protectionWord, protection);
        assert.equal(
          info.protectionActive.length,
          [...(protection & 0x7fff).toString(2)].filter((b) => b === "1").length,
        );
        assert.equal(info.extra === undefined, tail.length === 0);
        if (tail.length >= 9) assert.equal(info.extra?.humidity, tail[0]);
        if (tail.length !== 9 && tail.length > 0) assert.ok(info.extra?.unknownTail);
        if (info.productionDate !== null) {
          const [year, month, day] = info.productionDate.split("-").map(Number);
          assert.equal(((year! - 2000) << 9) | (month! << 5) | day!, data.readUInt16BE(10));
        }
      }),
    );
  });
  it("encodeBasicInfo is the inverse of decodeBasicInfo: decoding what it encodes gives back every field", (t) => {
    property(
      t,
      "round trip",
      fc.property(encodableArb, (info) => {
        assert.deepEqual(encodable(decodeBytes(encodeBasicInfo(info))), info);
      }),
    );
  });

  it("encodeBasicInfo re-encodes what decodeBasicInfo reads from any classic-unit frame to a frame that reads the same", (t) => {
    property(
      t,
      "normal form",
      fc.property(basicInfoDataArb, (data) => {
        data[20] = (data[20] as number) & 0x7f; // the x10 flag makes values the classic units cannot carry
        const first = decodeBytes(encodeFrame(0x03, 0, data));
        assert.deepEqual(decodeBytes(encodeBasicInfo(first)), first);
      }),
    );
  });
});
