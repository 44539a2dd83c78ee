import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AuthReplyReader,
  type BasicInfo,
  checkStatus,
  decodeAuthReply,
  decodeBasicInfo,
  decodeCellVoltages,
  decodeHardwareVersion,
  encodeAuthAppKey,
  encodeAuthPassword,
  encodeExitFactoryRequest,
  encodeMosRequest,
  encodeWriteRequest,
  type Frame,
  FrameAssembler,
  PROTECTION_BITS,
  ProtocolError,
  parseFrame,
  toHex,
} from "../../src/protocol";
import { concatBytes, fromHex, splitEvery } from "./bytes";
import { publicFrames } from "./public-frames";

const jbdFrames = publicFrames.filter((f) => f.hex.startsWith("dd"));
const authFrames = publicFrames.filter((f) => f.hex.startsWith("ffaa"));

function assembleOne(bytes: Uint8Array): Frame {
  const rejected: unknown[] = [];
  const frames = new FrameAssembler({ onReject: (e) => rejected.push(e) }).push(bytes);
  assert.deepEqual(rejected, []);
  assert.equal(frames.length, 1);
  return frames[0]!;
}

const hexWord = (text: unknown) => Number.parseInt(String(text), 16);

/** The raw word must be the one the source prints, and the named flags must be its bits 0-14. */
function checkProtectionWord(info: BasicInfo, word: number): void {
  assert.equal(info.protectionWord, word);
  const fromFlags = PROTECTION_BITS.reduce((bits, name, bit) => (info.protection[name] ? bits | (1 << bit) : bits), 0);
  assert.equal(fromFlags, word & 0x7fff);
}

function balanceWord(info: BasicInfo, firstCell: number): number {
  return info.balancing.slice(firstCell, firstCell + 16).reduce((word, on, bit) => (on ? word | (1 << bit) : word), 0);
}

/**
 * The vendor document annotates the first NTC of its 17S example (raw 0x0B98 = 2968) as 24.7 deg C, but its own
 * formula, (raw - 2731) / 10, gives 23.7; every captured frame agrees with the formula, so we keep it.
 */
const KNOWN_SOURCE_ERRORS: Record<string, unknown> = { "dd03001f19dff824/temp1_C": 23.7 };

/** Each key a source uses in `decoded`, checked against what decodeBasicInfo made of the frame. */
function checkBasicInfoField(info: BasicInfo, key: string, expected: unknown, hex: string): void {
  const known = KNOWN_SOURCE_ERRORS[`${hex.slice(0, 16)}/${key}`];
  const want = known ?? expected;
  switch (key) {
    case "voltage_V":
    case "total_voltage":
    case "voltage":
      assert.equal(info.voltage, want);
      return;
    case "current_A":
    case "current":
      assert.equal(info.current, want);
      return;
    case "remaining_Ah":
    case "capacity_remaining":
      assert.equal(info.residualCapacity, want);
      return;
    case "remaining_mAh":
      assert.equal(Math.round(info.residualCapacity * 1000), want);
      return;
    case "nominal_Ah":
    case "nominal_capacity":
      assert.equal(info.nominalCapacity, want);
      return;
    case "nominal_mAh":
      assert.equal(Math.round(info.nominalCapacity * 1000), want);
      return;
    case "cycles":
    case "charging_cycles":
      assert.equal(info.cycles, want);
      return;
    case "production_date":
      assert.equal(info.productionDate, want);
      return;
    case "balance_low":
      assert.equal(balanceWord(info, 0), hexWord(want));
      return;
    case "balance_high":
      assert.equal(balanceWord(info, 16), hexWord(want));
      return;
    case "protection":
      checkProtectionWord(info, hexWord(want));
      return;
    case "errors_bitmask":
      checkProtectionWord(info, want as number);
      return;
    case "sw_version_byte":
    case "version": {
      const byte = hexWord(want);
      assert.equal(info.softwareVersion, `${byte >> 4}.${byte & 0xf}`);
      return;
    }
    case "software_version":
      assert.equal(Number(info.softwareVersion), want);
      return;
    case "soc_pct":
    case "soc":
    case "rsoc":
      assert.equal(info.stateOfCharge, want);
      return;
    case "fet_byte":
    case "operation_status":
    case "fet": {
      const fet = typeof want === "number" ? want : hexWord(want);
      assert.deepEqual(info.mos, { charge: (fet & 1) !== 0, discharge: (fet & 2) !== 0 });
      return;
    }
    case "charge_fet_on":
      assert.equal(info.mos.charge, want);
      return;
    case "discharge_fet_on":
      assert.equal(info.mos.discharge, want);
      return;
    case "cells":
    case "cell_count":
      assert.equal(info.cellCount, want);
      return;
    case "ntc_count":
    case "temperature_sensors":
    case "ntc":
      assert.equal(info.temperatures.length, want);
      return;
    case "temps_C":
    case "temperatures":
      assert.deepEqual(info.temperatures, want);
      return;
    case "temp1_C":
      assert.equal(info.temperatures[0], want);
      return;
    case "trailing_bytes_after_ntc": {
      // Re-encode what the decoder put in `extra` (V11 layout, then the unknown rest) and compare with the bytes.
      const extra = info.extra!;
      const v11 = Buffer.alloc(9);
      v11.writeUInt8(extra.humidity!, 0);
      v11.writeUInt16BE(extra.alarm!, 1);
      v11.writeUInt16BE(Math.round(extra.fullChargeCapacity! * 100), 3);
      v11.writeUInt16BE(Math.round(extra.remainingCapacity! * 100), 5);
      v11.writeUInt16BE(Math.round(extra.balanceCurrent! * 1000), 7);
      assert.equal(v11.toString("hex") + (extra.unknownTail ?? ""), want);
      return;
    }
    default:
      assert.fail(`no check for decoded key ${key}`);
  }
}

describe("public frames (test/fixtures/public-frames.json)", () => {
  it("holds the frames the checks below expect", () => {
    assert.equal(jbdFrames.length + authFrames.length, publicFrames.length);
    assert.ok(jbdFrames.filter((f) => f.hex.startsWith("dd03")).length >= 10);
  });

  for (const fixture of jbdFrames) {
    it(`${fixture.kind} [${fixture.source}] assembles and decodes to the source's values`, () => {
      assert.equal(fixture.checksum_ok, true);
      const bytes = fromHex(fixture.hex);
      const frame = assembleOne(bytes);
      assert.equal(toHex(frame.raw), fixture.hex);
      assert.equal(frame.register, bytes[1]);
      assert.equal(frame.status, bytes[2]);
      assert.equal(frame.data.length, bytes[3]);
      const decoded = fixture.decoded ?? {};
      const isRequest = frame.register === 0xa5 || frame.register === 0x5a;
      if (!isRequest && frame.status !== 0) {
        assert.throws(
          () => checkStatus(frame),
          (e) => e instanceof ProtocolError && e.code === "BMS_REJECTED",
        );
        assert.deepEqual(decoded, {});
      } else if (frame.register === 0x03) {
        const info = decodeBasicInfo(frame);
        for (const [key, value] of Object.entries(decoded)) checkBasicInfoField(info, key, value, fixture.hex);
      } else if (frame.register === 0x04) {
        const volts = decodeCellVoltages(frame);
        if ("cell_mV" in decoded)
          assert.deepEqual(
            volts,
            (decoded.cell_mV as number[]).map((mv) => mv / 1000),
          );
        if ("cells_V" in decoded) assert.deepEqual(volts, decoded.cells_V);
        if ("cells" in decoded) assert.equal(volts.length, decoded.cells);
      } else if (frame.register === 0x05) {
        assert.equal(decodeHardwareVersion(frame), decoded.model);
      } else if (frame.register === 0xa0 || frame.register === 0xa1) {
        // EEPROM strings carry a length prefix, unlike 0x05 (PROTOCOL 4.2).
        const text = Buffer.from(frame.data.subarray(1, 1 + frame.data[0]!)).toString("latin1");
        assert.equal(text, decoded.model ?? decoded.mfg);
      } else if (frame.register === 0x24) {
        assert.equal((frame.data[0]! << 8) | frame.data[1]!, decoded.covp_mV);
      } else if (frame.register === 0xaa) {
        const counters = Array.from(
          { length: frame.data.length / 2 },
          (_, i) => (frame.data[2 * i]! << 8) | frame.data[2 * i + 1]!,
        );
        assert.ok(counters.length === 11 || counters.length === 12);
        if ("cell_overvoltage" in decoded) assert.equal(counters[3], decoded.cell_overvoltage);
        if ("cell_undervoltage" in decoded) assert.equal(counters[4], decoded.cell_undervoltage);
      } else {
        assert.deepEqual(decoded, {}, "a frame kind with decoded values but no check");
      }
    });
  }

  it("re-encodes every captured request byte for byte", () => {
    const requests = jbdFrames.filter((f) => f.hex.startsWith("dd5a") || f.hex.startsWith("dda5"));
    assert.ok(requests.length >= 5);
    for (const fixture of requests) {
      const frame = parseFrame(fromHex(fixture.hex));
      assert.equal(toHex(encodeWriteRequest(frame.status, frame.data)), fixture.hex);
    }
    const hexes = new Set(requests.map((f) => f.hex));
    assert.ok(hexes.has(toHex(encodeMosRequest({ charge: false, discharge: true }))));
    assert.ok(hexes.has(toHex(encodeMosRequest({ charge: true, discharge: false }))));
    assert.ok(hexes.has(toHex(encodeExitFactoryRequest())));
  });

  it("skips FF AA authentication frames as foreign bytes (their own 8-bit checksums hold)", () => {
    for (const fixture of authFrames) {
      const bytes = fromHex(fixture.hex);
      const sum = bytes.subarray(2, -1).reduce((total, byte) => (total + byte) & 0xff, 0);
      assert.equal(sum, bytes.at(-1), fixture.kind);
    }
    const good = fromHex(jbdFrames[0]!.hex);
    const stream = concatBytes(...authFrames.map((f) => fromHex(f.hex)), good);
    const assembler = new FrameAssembler();
    // The auth frames contain no 0xDD, so nothing is even a candidate until the real frame.
    assert.deepEqual(
      assembler.push(stream).map((f) => toHex(f.raw)),
      [toHex(good)],
    );
  });

  it("decodes every captured FF AA reply, also through AuthReplyReader, and re-encodes the captured requests", () => {
    const replies = authFrames.filter((f) => f.notifications !== undefined);
    assert.ok(replies.length >= 4);
    const reader = new AuthReplyReader({ onReject: (e) => assert.fail(e) });
    for (const fixture of replies) {
      const reply = decodeAuthReply(fromHex(fixture.hex));
      assert.equal(reply.command, fromHex(fixture.hex)[2], fixture.kind);
      if (fixture.decoded?.random !== undefined) assert.equal(reply.random, hexWord(fixture.decoded.random));
      assert.deepEqual(
        fixture.notifications!.flatMap((part) => reader.push(fromHex(part))),
        [reply],
        fixture.kind,
      );
    }
    const requests = new Set(authFrames.filter((f) => f.notifications === undefined).map((f) => f.hex));
    assert.equal(requests.size, 2);
    assert.ok(requests.has(toHex(encodeAuthAppKey())));
    assert.ok(requests.has(toHex(encodeAuthPassword("a4:c1:37:04:2d:be", "123123", 0x37))));
  });

  it("reassembles the captured BLE notifications, and every split point and 20-byte chunking gives the same frame", () => {
    for (const fixture of jbdFrames) {
      const bytes = fromHex(fixture.hex);
      const splittings: Uint8Array[][] = [splitEvery(bytes, 20), splitEvery(bytes, 1)];
      if (fixture.notifications && fixture.notifications.length > 0)
        splittings.push(fixture.notifications.map(fromHex));
      for (let at = 1; at < bytes.length; at++) splittings.push([bytes.subarray(0, at), bytes.subarray(at)]);
      for (const parts of splittings) {
        const assembler = new FrameAssembler({ onReject: (e) => assert.fail(e) });
        const frames = parts.flatMap((part) => assembler.push(part));
        assert.deepEqual(
          frames.map((f) => toHex(f.raw)),
          [fixture.hex],
          `${fixture.kind} split ${parts.map((p) => p.length)}`,
        );
        assert.equal(assembler.bufferedBytes, 0);
      }
    }
  });

  it("skips junk between all the frames of the file fed as one stream in 20-byte notifications", () => {
    const junk = [fromHex("0251a1"), fromHex("77"), fromHex("00ff"), fromHex("a5")];
    const parts = jbdFrames.flatMap((f, i) => [junk[i % junk.length]!, fromHex(f.hex)]);
    const assembler = new FrameAssembler({ onReject: (e) => assert.fail(e) });
    const frames = splitEvery(concatBytes(...parts), 20).flatMap((chunk) => assembler.push(chunk));
    assert.deepEqual(
      frames.map((f) => toHex(f.raw)),
      jbdFrames.map((f) => f.hex),
    );
  });
  it("recovers every frame after any cut-off prefix of any other frame (frames cut off by the next header)", () => {
    for (const cutFixture of jbdFrames) {
      const cut = fromHex(cutFixture.hex);
      for (let length = 1; length < cut.length; length++) {
        for (const next of jbdFrames) {
          const assembler = new FrameAssembler();
          const stream = concatBytes(cut.subarray(0, length), fromHex(next.hex));
          const frames = splitEvery(stream, 20).flatMap((chunk) => assembler.push(chunk));
          assert.deepEqual(
            frames.map((f) => toHex(f.raw)),
            [next.hex],
            `${length} bytes of ${cutFixture.hex}, then ${next.hex}`,
          );
        }
      }
    }
  });
});
