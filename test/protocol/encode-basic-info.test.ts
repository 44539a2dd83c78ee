import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeBasicInfo, type EncodableBasicInfo, encodeBasicInfo, parseFrame, toHex } from "../../src/protocol";
import { basicInfoFrame, SAMPLE_BASIC_INFO } from "./bytes";
import { publicFrames } from "./public-frames";

const decode = (bytes: Uint8Array) => decodeBasicInfo(parseFrame(bytes));

describe("encodeBasicInfo", () => {
  it("re-encodes every captured 0x03 frame byte for byte", () => {
    const captured = publicFrames.filter((f) => f.hex.startsWith("dd03"));
    assert.ok(captured.length >= 10);
    for (const fixture of captured) {
      const info = decode(Buffer.from(fixture.hex, "hex"));
      assert.equal(toHex(encodeBasicInfo(info)), fixture.hex, fixture.kind);
    }
  });

  it("writes the fields at the offsets of PROTOCOL 3.1, rounded to the wire's resolution", () => {
    const frame = encodeBasicInfo({
      ...SAMPLE_BASIC_INFO,
      voltage: 13.3449,
      current: -1,
      temperatures: [25.04, null],
      mos: { charge: false, discharge: true },
    });
    const data = parseFrame(frame).data;
    assert.equal(toHex(data.subarray(0, 4)), "0536ff9c", "13.34 V, -1 A is 0xFF9C (PDF11)");
    assert.equal(data[20], 0x02, "FET: discharge on, charge off");
    assert.equal(toHex(data.subarray(23)), "0ba50000", "25.0 deg C = 2981, no reading = 0");
  });

  it("refuses values the frame cannot carry or that would read back differently, with a RangeError", () => {
    const bad: [string, Partial<EncodableBasicInfo>][] = [
      ["voltage", { voltage: 655.36 }],
      ["voltage", { voltage: -0.01 }],
      ["current", { current: 327.68 }],
      ["current", { current: Number.NaN }],
      ["residualCapacity", { residualCapacity: -1 }],
      ["cycles", { cycles: 1.5 }],
      ["stateOfCharge", { stateOfCharge: 256 }],
      ["productionDate", { productionDate: "2023-02-29" }],
      ["productionDate", { productionDate: "1999-12-31" }],
      ["productionDate", { productionDate: "28.03.2022" }],
      ["softwareVersion", { softwareVersion: "8" }],
      ["softwareVersion", { softwareVersion: "16.0" }],
      ["softwareVersion", { softwareVersion: "8.00" }],
      ["balancing", { balancing: [true] }],
      ["temperature", { temperatures: [-273.1] }],
      ["protectionWord", { protectionWord: 0x10000 }],
      ["V11 trailer", { extra: { humidity: 1 } }],
      ["unknown tail", { extra: { unknownTail: "000000000000000000" } }],
      ["unknownTail", { extra: { unknownTail: "zz" } }],
    ];
    for (const [what, overrides] of bad) {
      assert.throws(() => basicInfoFrame(overrides), RangeError, `${what}: ${JSON.stringify(overrides)}`);
    }
    assert.throws(
      () => basicInfoFrame({ cellCount: 40, balancing: [...new Array(39).fill(false), true] }),
      /cells 1..32/,
    );
  });
});
