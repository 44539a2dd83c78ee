import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readPackReading } from "../../src/bank/pack-reading";
import { isBmsError } from "../../src/errors";
import { buildPayload, decodeBasicInfo, decodeCellVoltages, parseFrame } from "../../src/protocol";
import { basicInfoFrame, fromHex } from "../protocol/bytes";

const CELLS = decodeCellVoltages(parseFrame(fromHex("dd0400080d030d010d030d02ffbb77")));

function pollPayload(): Record<string, unknown> {
  const basic = decodeBasicInfo(parseFrame(basicInfoFrame({ current: -5.3, voltage: 13.34 })));
  return buildPayload(basic, CELLS, null) as unknown as Record<string, unknown>;
}

function invalid(pattern: RegExp) {
  return (err: unknown) => isBmsError(err) && err.code === "INVALID_INPUT" && pattern.test(err.message);
}

describe("readPackReading", () => {
  it("reads the summed fields of a real bms-poll payload, in memory and after JSON", () => {
    const payload = pollPayload();
    for (const input of [payload, JSON.parse(JSON.stringify(payload))]) {
      const reading = readPackReading(input);
      assert.equal(reading.voltage, payload.voltage);
      assert.equal(reading.current, -5.3);
      assert.equal(reading.nominalCapacity, payload.nominalCapacity);
      assert.equal(reading.cellMin, payload.cellMin);
      assert.deepEqual(reading.mos, payload.mos);
      assert.deepEqual(reading.temperatures, payload.temperatures);
    }
  });

  it("keeps a pack without cell voltages (NaN, or null in JSON) and skips absent temperature sensors", () => {
    const basic = decodeBasicInfo(parseFrame(basicInfoFrame({})));
    const payload = { ...buildPayload(basic, [], null), temperatures: [21.5, null, 19] };
    assert.ok(Number.isNaN(payload.cellMin));
    const reading = readPackReading(payload);
    assert.equal(reading.cellMin, null);
    assert.equal(reading.cellDelta, null);
    assert.deepEqual(reading.temperatures, [21.5, 19]);
    assert.equal(readPackReading(JSON.parse(JSON.stringify(payload))).cellMax, null);
  });

  it("refuses anything else with one INVALID_INPUT naming every bad field", () => {
    for (const bad of [undefined, null, "13.2", 5, [1, 2]]) {
      assert.throws(() => readPackReading(bad), invalid(/must be a bms-poll payload/), String(bad));
    }
    const payload = pollPayload();
    const broken = { ...payload, voltage: "13.2", mos: { charge: true }, temperatures: ["20"] };
    assert.throws(() => readPackReading(broken), invalid(/voltage must be a number; temperatures .*; mos must be/));
    assert.throws(
      () => readPackReading({ ...payload, nominalCapacity: 0 }),
      invalid(/nominalCapacity must be above 0/),
    );
    assert.throws(() => readPackReading({ ...payload, cellMin: "3.3" }), invalid(/cellMin must be a number or null/));
    assert.throws(() => readPackReading({ ...payload, protectionActive: "none" }), invalid(/protectionActive/));
  });
});
