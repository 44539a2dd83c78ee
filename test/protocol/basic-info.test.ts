import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeBasicInfo, encodeFrame, ProtocolError, parseFrame } from "../../src/protocol";
import { basicInfoFrame, withDataBytes } from "./bytes";

const decode = (bytes: Uint8Array) => decodeBasicInfo(parseFrame(bytes));
/** The sample frame with raw wire bytes at a data offset (PROTOCOL 3.1), decoded. */
const decodeWith = (offset: number, bytes: number[], frame = basicInfoFrame()) =>
  decode(withDataBytes(frame, offset, bytes));
const word = (value: number) => [(value >> 8) & 0xff, value & 0xff];

describe("decodeBasicInfo", () => {
  it("keeps the sign of the current: positive while charging", () => {
    assert.equal(decodeWith(2, word(828)).current, 8.28);
    // PDF11's example: discharging 1 A is 0xFF9C.
    assert.equal(decodeWith(2, [0xff, 0x9c]).current, -1);
  });

  it("maps balance bits the vendor way: bit0 of bytes 12-13 = cell 1, bit0 of bytes 14-15 = cell 17", () => {
    const info = decodeWith(12, [0x80, 0x09, 0x00, 0x09], basicInfoFrame({ cellCount: 20 }));
    assert.equal(info.balancing.length, 20);
    const on = info.balancing.flatMap((b, i) => (b ? [i + 1] : []));
    assert.deepEqual(on, [1, 4, 16, 17, 20]);
    // The 8S capture in syssi/esphome-jbd-bms#4: balance low 0x0008 = cell 4.
    assert.deepEqual(decodeWith(12, [0x00, 0x08], basicInfoFrame({ cellCount: 8 })).balancing, [
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it("masks the FET bits (DWF packs send 0x0B)", () => {
    assert.deepEqual(decodeWith(20, [0x0b]).mos, { charge: true, discharge: true });
    assert.deepEqual(decodeWith(20, [0x0e]).mos, { charge: false, discharge: true });
  });

  it("applies the x10 units flag (FET bit 7) to current and capacities", () => {
    // The sample with one NTC and a V11 trailer, then raw values: current -1.23, 50.00 / 60.00 Ah, FET 0x83.
    const withTrailer = basicInfoFrame({
      temperatures: [25],
      extra: { humidity: 0, alarm: 0, fullChargeCapacity: 0, remainingCapacity: 0, balanceCurrent: 0 },
    });
    let frame = withDataBytes(withTrailer, 2, [...word(-123), ...word(5000), ...word(6000)]);
    frame = withDataBytes(frame, 20, [0x83]);
    const info = decodeWith(25, [0, 0, 0, 0x03, 0xe8, 0x01, 0xf4, 0x00, 0x64], frame);
    assert.equal(info.current, -12.3);
    assert.equal(info.residualCapacity, 500);
    assert.equal(info.nominalCapacity, 600);
    assert.equal(info.extra?.fullChargeCapacity, 100);
    assert.equal(info.extra?.remainingCapacity, 50);
    assert.equal(info.extra?.balanceCurrent, 0.1, "balance current is in mA, not scaled");
    assert.deepEqual(info.mos, { charge: true, discharge: true });
  });

  it("reads the software version as nibbles", () => {
    assert.equal(decodeWith(18, [0x80]).softwareVersion, "8.0");
    assert.equal(decodeWith(18, [0x10]).softwareVersion, "1.0");
    assert.equal(decodeWith(18, [0x44]).softwareVersion, "4.4");
  });

  it("gives null for a production date of 0 or out of range, never an invented date", () => {
    const date = (dateWord: number) => decodeWith(10, word(dateWord)).productionDate;
    assert.equal(date(0x2c7c), "2022-03-28");
    assert.equal(date(0), null);
    assert.equal(date((22 << 9) | (13 << 5) | 1), null, "month 13");
    assert.equal(date((22 << 9) | (0 << 5) | 1), null, "month 0");
    assert.equal(date((22 << 9) | (2 << 5) | 0), null, "day 0");
    assert.equal(date((23 << 9) | (2 << 5) | 29), null, "29 February 2023");
    assert.equal(date((24 << 9) | (2 << 5) | 29), "2024-02-29");
  });

  it("names protection bits 0-14 (13 and 14 as PDF11 does), lists the set ones and keeps the raw word", () => {
    const names = [
      "cellOvervoltage",
      "cellUndervoltage",
      "packOvervoltage",
      "packUndervoltage",
      "chargeOvertemperature",
      "chargeUndertemperature",
      "dischargeOvertemperature",
      "dischargeUndertemperature",
      "chargeOvercurrent",
      "dischargeOvercurrent",
      "shortCircuit",
      "frontEndError",
      "mosSoftwareLock",
      "chargeMosFault",
      "dischargeMosFault",
    ];
    names.forEach((name, bit) => {
      const info = decodeWith(16, word(1 << bit));
      assert.deepEqual(info.protectionActive, [name]);
      assert.equal(Object.values(info.protection).filter(Boolean).length, 1);
      assert.equal(info.protection[name as keyof typeof info.protection], true);
      assert.equal(info.protectionWord, 1 << bit);
    });
    const all = decodeWith(16, [0xff, 0xff]);
    assert.deepEqual(all.protectionActive, names, "bit 15 is reserved and not named");
    assert.deepEqual(Object.keys(all.protection), names);
    assert.equal(all.protectionWord, 0xffff, "all 16 bits kept");
    const reserved = decodeWith(16, [0x80, 0x00]);
    assert.deepEqual(reserved.protectionActive, []);
    assert.equal(reserved.protectionWord, 0x8000);
  });

  it("converts temperatures from 0.1 K and handles any NTC count", () => {
    const four = basicInfoFrame({ temperatures: [1, 2, 3, 4] });
    assert.deepEqual(
      decodeWith(23, [...word(2731), ...word(2981), ...word(0x097f), ...word(3731)], four).temperatures,
      [0, 25, -30, 100],
    );
    const none = decode(basicInfoFrame({ temperatures: [] }));
    assert.deepEqual(none.temperatures, []);
    assert.equal(none.extra, undefined);
  });

  it("gives null for a sensor that reads raw 0 (0 K), keeping the sensor count", () => {
    const three = basicInfoFrame({ temperatures: [1, 2, 3] });
    assert.deepEqual(decodeWith(23, [...word(2981), 0, 0, 0, 1], three).temperatures, [25, null, -273]);
  });

  it("decodes the V11 trailer and keeps unknown bytes beyond it as hex", () => {
    const trailer = [55, 0x04, 0x01, 0x4e, 0x20, 0x4a, 0xdf, 0x01, 0x2c];
    const tailAt = 23 + 2 * 3;
    const v11Fields = { humidity: 0, alarm: 0, fullChargeCapacity: 0, remainingCapacity: 0, balanceCurrent: 0 };
    const v11 = decodeWith(tailAt, trailer, basicInfoFrame({ extra: v11Fields })).extra;
    assert.deepEqual(v11, {
      humidity: 55,
      alarm: 0x0401,
      alarmActive: ["cellHighVoltage", "cellVoltageDifference"],
      fullChargeCapacity: 200,
      remainingCapacity: 191.67,
      balanceCurrent: 0.3,
    });
    const longer = decodeWith(tailAt, trailer, basicInfoFrame({ extra: { ...v11Fields, unknownTail: "1900" } })).extra;
    assert.equal(longer?.unknownTail, "1900");
  });

  it("keeps a short unknown tail (DWF packs) as hex without guessing fields", () => {
    const dwfTail = [0x0c, 0x08, 0x0c, 0x17, 0x64, 0, 0, 0];
    const dwf = decodeWith(23 + 2 * 3, dwfTail, basicInfoFrame({ extra: { unknownTail: "0000000000000000" } }));
    assert.deepEqual(dwf.extra, { unknownTail: "0c080c1764000000" });
  });

  it("rejects data shorter than 23 + 2 * NTC bytes", () => {
    const full = basicInfoFrame({ temperatures: [19.4, 19.4] });
    const data = parseFrame(full).data;
    for (const length of [0, 10, 22, 23, 26]) {
      const short = encodeFrame(0x03, 0, data.subarray(0, length));
      assert.throws(
        () => decode(short),
        (e) => e instanceof ProtocolError && e.code === "BAD_FRAME" && e.reason === "length",
        `length ${length}`,
      );
    }
    assert.equal(decode(encodeFrame(0x03, 0, data.subarray(0, 27))).temperatures.length, 2);
  });

  it("refuses another register and a non-zero status", () => {
    assert.throws(
      () => decodeBasicInfo(parseFrame(encodeFrame(0x04, 0, new Uint8Array(30)))),
      (e) => e instanceof ProtocolError && e.code === "BAD_FRAME" && e.reason === "register",
    );
    assert.throws(
      () => decodeBasicInfo(parseFrame(encodeFrame(0x03, 0x80))),
      (e) => e instanceof ProtocolError && e.code === "BMS_REJECTED" && /0x80/.test(e.message),
    );
  });
});
