import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPayload, decodeBasicInfo, decodeCellVoltages, parseFrame } from "../../src/protocol";
import { basicInfoFrame, fromHex } from "./bytes";

const CELLS = decodeCellVoltages(parseFrame(fromHex("dd0400080d030d010d030d02ffbb77")));

describe("buildPayload", () => {
  it("builds exactly the DESIGN 4.2 fields with derived values at the wire's precision", () => {
    const basic = decodeBasicInfo(parseFrame(basicInfoFrame({ current: -0.53, voltage: 13.34 })));
    const payload = buildPayload(basic, CELLS, "JBD-SP04S034-L4S-200A-B-U");
    assert.deepEqual(Object.keys(payload).sort(), [
      "balancing",
      "cellAverage",
      "cellCount",
      "cellDelta",
      "cellMax",
      "cellMin",
      "cellVoltages",
      "current",
      "cycles",
      "energyStored",
      "hardwareVersion",
      "mos",
      "nominalCapacity",
      "power",
      "productionDate",
      "protection",
      "protectionActive",
      "protectionWord",
      "residualCapacity",
      "softwareVersion",
      "stateOfCharge",
      "temperatures",
      "timeRemainingS",
      "voltage",
    ]);
    assert.equal(payload.voltage, 13.34);
    assert.equal(payload.current, -0.53);
    assert.equal(payload.power, -7.07, "13.34 V * -0.53 A = -7.0702 W");
    assert.equal(payload.energyStored, 3578.5, "268.25 Ah * 13.34 V = 3578.455 Wh");
    assert.deepEqual(payload.cellVoltages, [3.331, 3.329, 3.331, 3.33]);
    assert.equal(payload.cellMin, 3.329);
    assert.equal(payload.cellMax, 3.331);
    assert.equal(payload.cellAverage, 3.33, "13321 mV / 4 = 3330.25 mV");
    assert.equal(payload.cellDelta, 0.002);
    assert.equal(payload.hardwareVersion, "JBD-SP04S034-L4S-200A-B-U");
    assert.deepEqual(payload.mos, basic.mos);
    assert.notEqual(payload.mos, basic.mos, "a copy, not shared with the decoded frame");
    assert.equal(payload.timeRemainingS, null, "0.53 A is below 1 % of 280 Ah per hour: resting");
  });

  it("gives the time to full while charging and to empty while discharging, from the payload's own figures", () => {
    const charging = decodeBasicInfo(parseFrame(basicInfoFrame({ current: 10 })));
    assert.equal(buildPayload(charging, CELLS, null).timeRemainingS, 4230, "(280 - 268.25) Ah / 10 A = 1.175 h");
    const discharging = decodeBasicInfo(parseFrame(basicInfoFrame({ current: -25 })));
    assert.equal(buildPayload(discharging, CELLS, null).timeRemainingS, 38628, "268.25 Ah / 25 A = 10.73 h");
  });

  it("keeps the raw protection word and passes an absent sensor through as null", () => {
    const basic = decodeBasicInfo(
      parseFrame(basicInfoFrame({ protectionWord: 0xa001, temperatures: [19.4, null, 19] })),
    );
    const payload = buildPayload(basic, CELLS, null);
    assert.equal(payload.protectionWord, 0xa001);
    assert.deepEqual(payload.protectionActive, ["cellOvervoltage", "chargeMosFault"]);
    assert.deepEqual(payload.temperatures, [19.4, null, 19]);
    assert.deepEqual(JSON.parse(JSON.stringify(payload)).temperatures, [19.4, null, 19]);
  });

  it("never shows binary noise such as 13.320000000000002", () => {
    const basic = decodeBasicInfo(parseFrame(basicInfoFrame({ current: 0.1, voltage: 13.32 })));
    const noisy = { ...basic, voltage: 13.320000000000002, current: 0.1 + 0.2 - 0.2 };
    const payload = buildPayload(noisy, [3.3000000000000003, 0.1 + 0.2], null);
    assert.equal(payload.voltage, 13.32);
    assert.equal(payload.current, 0.1);
    assert.equal(payload.power, 1.33);
    assert.deepEqual(payload.cellVoltages, [3.3, 0.3]);
    assert.equal(payload.cellAverage, 1.8);
    assert.equal(payload.cellDelta, 3);
    for (const value of [
      payload.voltage,
      payload.power,
      payload.energyStored,
      payload.cellAverage,
      payload.cellDelta,
    ]) {
      assert.ok(String(value).length <= 8, `${value}`);
    }
  });

  it("turns a tiny negative product into 0, not -0", () => {
    const basic = decodeBasicInfo(parseFrame(basicInfoFrame({ voltage: 0.01, current: -0.01 })));
    assert.ok(Object.is(buildPayload(basic, CELLS, null).power, 0));
  });

  it("passes the trailer through as extra and keeps hardwareVersion null when 0x05 is unsupported", () => {
    const withTrailer = decodeBasicInfo(
      parseFrame(
        basicInfoFrame({
          extra: { humidity: 1, alarm: 0, fullChargeCapacity: 200, remainingCapacity: 191.67, balanceCurrent: 0 },
        }),
      ),
    );
    const payload = buildPayload(withTrailer, CELLS, null);
    assert.equal(payload.hardwareVersion, null);
    assert.deepEqual(payload.extra, withTrailer.extra);
  });

  it("gives NaN cell statistics (null in JSON) when the BMS sent no cell voltages", () => {
    const basic = decodeBasicInfo(parseFrame(basicInfoFrame()));
    const payload = buildPayload(basic, [], null);
    assert.ok(Number.isNaN(payload.cellMin) && Number.isNaN(payload.cellAverage) && Number.isNaN(payload.cellDelta));
    assert.equal(JSON.parse(JSON.stringify(payload)).cellMin, null);
  });
});
