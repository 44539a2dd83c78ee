import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeBasicInfo, encodeResponse, ProtocolError, parseFrame } from "../../src/protocol";
import { basicInfoFrame } from "./bytes";

const decode = (bytes: Uint8Array) => decodeBasicInfo(parseFrame(bytes));

describe("decodeBasicInfo", () => {
  it("keeps the sign of the current: positive while charging", () => {
    assert.equal(decode(basicInfoFrame({ current10mA: 828 })).current, 8.28);
    assert.equal(decode(basicInfoFrame({ current10mA: -100 })).current, -1);
  });

  it("maps balance bits the vendor way: bit0 of bytes 12-13 = cell 1, bit0 of bytes 14-15 = cell 17", () => {
    const info = decode(basicInfoFrame({ cells: 20, balanceLow: 0x8009, balanceHigh: 0x0009 }));
    assert.equal(info.balancing.length, 20);
    const on = info.balancing.flatMap((b, i) => (b ? [i + 1] : []));
    assert.deepEqual(on, [1, 4, 16, 17, 20]);
    // The 8S capture in syssi/esphome-jbd-bms#4: balance low 0x0008 = cell 4.
    assert.deepEqual(decode(basicInfoFrame({ cells: 8, balanceLow: 0x0008 })).balancing, [
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
    assert.deepEqual(decode(basicInfoFrame({ fet: 0x0b })).mos, { charge: true, discharge: true });
    assert.deepEqual(decode(basicInfoFrame({ fet: 0x0e })).mos, { charge: false, discharge: true });
  });

  it("applies the x10 units flag (FET bit 7) to current and capacities", () => {
    const info = decode(
      basicInfoFrame({
        fet: 0x83,
        current10mA: -123,
        residual10mAh: 5000,
        nominal10mAh: 6000,
        tail: [0, 0, 0, 0x03, 0xe8, 0x01, 0xf4, 0x00, 0x64],
      }),
    );
    assert.equal(info.current, -12.3);
    assert.equal(info.residualCapacity, 500);
    assert.equal(info.nominalCapacity, 600);
    assert.equal(info.extra?.fullChargeCapacity, 100);
    assert.equal(info.extra?.remainingCapacity, 50);
    assert.equal(info.extra?.balanceCurrent, 0.1, "balance current is in mA, not scaled");
    assert.deepEqual(info.mos, { charge: true, discharge: true });
  });

  it("reads the software version as nibbles", () => {
    assert.equal(decode(basicInfoFrame({ version: 0x80 })).softwareVersion, "8.0");
    assert.equal(decode(basicInfoFrame({ version: 0x10 })).softwareVersion, "1.0");
    assert.equal(decode(basicInfoFrame({ version: 0x44 })).softwareVersion, "4.4");
  });

  it("gives null for a production date of 0 or out of range, never an invented date", () => {
    const date = (dateWord: number) => decode(basicInfoFrame({ dateWord })).productionDate;
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
      const info = decode(basicInfoFrame({ protection: 1 << bit }));
      assert.deepEqual(info.protectionActive, [name]);
      assert.equal(Object.values(info.protection).filter(Boolean).length, 1);
      assert.equal(info.protection[name as keyof typeof info.protection], true);
      assert.equal(info.protectionWord, 1 << bit);
    });
    const all = decode(basicInfoFrame({ protection: 0xffff }));
    assert.deepEqual(all.protectionActive, names, "bit 15 is reserved and not named");
    assert.deepEqual(Object.keys(all.protection), names);
    assert.equal(all.protectionWord, 0xffff, "all 16 bits kept");
    const reserved = decode(basicInfoFrame({ protection: 0x8000 }));
    assert.deepEqual(reserved.protectionActive, []);
    assert.equal(reserved.protectionWord, 0x8000);
  });

  it("converts temperatures from 0.1 K and handles any NTC count", () => {
    assert.deepEqual(
      decode(basicInfoFrame({ temperaturesDeciKelvin: [2731, 2981, 0x097f, 3731] })).temperatures,
      [0, 25, -30, 100],
    );
    const none = decode(basicInfoFrame({ temperaturesDeciKelvin: [] }));
    assert.deepEqual(none.temperatures, []);
    assert.equal(none.extra, undefined);
  });

  it("gives null for a sensor that reads raw 0 (0 K), keeping the sensor count", () => {
    assert.deepEqual(decode(basicInfoFrame({ temperaturesDeciKelvin: [2981, 0, 1] })).temperatures, [25, null, -273]);
  });

  it("decodes the V11 trailer and keeps unknown bytes beyond it as hex", () => {
    const trailer = [55, 0x04, 0x01, 0x4e, 0x20, 0x4a, 0xdf, 0x01, 0x2c];
    const v11 = decode(basicInfoFrame({ tail: trailer })).extra;
    assert.deepEqual(v11, {
      humidity: 55,
      alarm: 0x0401,
      alarmActive: ["cellHighVoltage", "cellVoltageDifference"],
      fullChargeCapacity: 200,
      remainingCapacity: 191.67,
      balanceCurrent: 0.3,
    });
    const longer = decode(basicInfoFrame({ tail: [...trailer, 0x19, 0x00] })).extra;
    assert.equal(longer?.unknownTail, "1900");
  });

  it("keeps a short unknown tail (DWF packs) as hex without guessing fields", () => {
    const dwf = decode(basicInfoFrame({ tail: [0x0c, 0x08, 0x0c, 0x17, 0x64, 0, 0, 0] }));
    assert.deepEqual(dwf.extra, { unknownTail: "0c080c1764000000" });
  });

  it("rejects data shorter than 23 + 2 * NTC bytes", () => {
    const full = basicInfoFrame({ temperaturesDeciKelvin: [2925, 2925] });
    const data = parseFrame(full).data;
    for (const length of [0, 10, 22, 23, 26]) {
      const short = encodeResponse(0x03, 0, data.subarray(0, length));
      assert.throws(
        () => decode(short),
        (e) => e instanceof ProtocolError && e.code === "BAD_FRAME" && e.reason === "length",
        `length ${length}`,
      );
    }
    assert.equal(decode(encodeResponse(0x03, 0, data.subarray(0, 27))).temperatures.length, 2);
  });

  it("refuses another register and a non-zero status", () => {
    assert.throws(
      () => decodeBasicInfo(parseFrame(encodeResponse(0x04, 0, new Uint8Array(30)))),
      (e) => e instanceof ProtocolError && e.code === "BAD_FRAME" && e.reason === "register",
    );
    assert.throws(
      () => decodeBasicInfo(parseFrame(encodeResponse(0x03, 0x80))),
      (e) => e instanceof ProtocolError && e.code === "BMS_REJECTED" && /0x80/.test(e.message),
    );
  });
});
