import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aggregateBank } from "../../src/bank/aggregate";
import type { PackReading } from "../../src/bank/pack-reading";
import { PackRecords } from "../../src/bank/pack-records";
import { timeRemainingSeconds } from "../../src/protocol";

const A = "AA:BB:CC:00:00:01";
const B = "AA:BB:CC:00:00:02";
const C = "AA:BB:CC:00:00:04";
const MAX_AGE_MS = 60_000;

function reading(overrides: Partial<PackReading> = {}): PackReading {
  return {
    voltage: 13.3,
    current: -5,
    power: -66.5,
    stateOfCharge: 50,
    residualCapacity: 50,
    nominalCapacity: 100,
    energyStored: 665,
    cellMin: 3.32,
    cellMax: 3.33,
    cellDelta: 0.01,
    temperatures: [20],
    mos: { charge: true, discharge: true },
    protectionActive: [],
    ...overrides,
  };
}

/** Three packs of 200, 100 and 280 Ah (the simulator's models), all heard at t = 0. */
function threePacks(): PackRecords {
  const records = new PackRecords([A, B, C]);
  records.recordReading(
    A,
    "pack A",
    reading({
      voltage: 13.2,
      current: -10.5,
      power: -138.6,
      stateOfCharge: 20,
      residualCapacity: 40,
      nominalCapacity: 200,
      energyStored: 528,
      cellMin: 3.29,
      cellMax: 3.31,
      cellDelta: 0.02,
      temperatures: [18.5, 19.1],
    }),
    0,
  );
  records.recordReading(
    B,
    "pack B",
    reading({
      voltage: 13.4,
      current: -4.25,
      power: -56.95,
      stateOfCharge: 80,
      residualCapacity: 80,
      nominalCapacity: 100,
      energyStored: 1072,
      cellMin: 3.345,
      cellMax: 3.36,
      cellDelta: 0.015,
      temperatures: [22.3],
    }),
    0,
  );
  records.recordReading(
    C,
    null,
    reading({
      voltage: 13.3,
      current: -7.1,
      power: -94.43,
      stateOfCharge: 50,
      residualCapacity: 140,
      nominalCapacity: 280,
      energyStored: 1862,
      cellMin: 3.32,
      cellMax: 3.335,
      cellDelta: 0.015,
      temperatures: [],
    }),
    0,
  );
  return records;
}

describe("aggregateBank", () => {
  it("weights the state of charge by capacity and sums the rest at the poll payload's precision", () => {
    const bank = aggregateBank(threePacks().all(), 0, MAX_AGE_MS)!;
    assert.equal(bank.residualCapacity, 260);
    assert.equal(bank.nominalCapacity, 580);
    assert.equal(bank.stateOfCharge, 45, "260 / 580 Ah, where the mean of 20, 80 and 50 % would say 50");
    assert.equal(bank.voltage, 13.3, "mean of 13.2, 13.4 and 13.3 V");
    assert.equal(bank.current, -21.85);
    assert.equal(bank.power, -289.98);
    assert.equal(bank.energyStored, 3462);
    assert.equal(bank.timeRemainingS, timeRemainingSeconds(-21.85, 260, 580));
    assert.ok(bank.timeRemainingS! > 0);
    assert.equal(bank.packsFresh, 3);
    assert.equal(bank.packsExpected, 3);
    assert.deepEqual(bank.missing, []);
  });

  it("finds the bank's weakest and strongest cell with their packs, the worst pack delta and the spread", () => {
    const bank = aggregateBank(threePacks().all(), 0, MAX_AGE_MS)!;
    assert.equal(bank.cellMin, 3.29);
    assert.equal(bank.cellMinPack, A);
    assert.equal(bank.cellMax, 3.36);
    assert.equal(bank.cellMaxPack, B);
    assert.equal(bank.cellDelta, 0.02);
    assert.equal(bank.cellSpread, 0.07, "3.36 - 3.29 without binary fractions");
    assert.equal(bank.temperatureMin, 18.5);
    assert.equal(bank.temperatureMax, 22.3);
  });

  it("leaves out a pack whose last payload is older than maxAge, and counts it again once it reports", () => {
    const records = threePacks();
    records.recordReading(A, "pack A", reading({ residualCapacity: 40, nominalCapacity: 200 }), 30_000);
    records.recordReading(B, "pack B", reading({ residualCapacity: 80, nominalCapacity: 100 }), 30_000);
    assert.equal(aggregateBank(records.all(), 60_000, MAX_AGE_MS)!.packsFresh, 3, "exactly maxAge old still counts");

    const bank = aggregateBank(records.all(), 60_001, MAX_AGE_MS)!;
    assert.deepEqual(bank.missing, [{ address: C, reason: "too old" }]);
    assert.equal(bank.nominalCapacity, 300);
    assert.equal(bank.stateOfCharge, 40);
    const old = bank.packs.find((p) => p.address === C)!;
    assert.equal(old.fresh, false);
    assert.equal(old.ageS, 60);

    records.recordReading(C, null, reading({ residualCapacity: 140, nominalCapacity: 280 }), 61_000);
    assert.equal(aggregateBank(records.all(), 61_000, MAX_AGE_MS)!.packsFresh, 3);
  });

  it("does not sum a pack whose newest message was a stale resend, until a good payload comes", () => {
    const records = threePacks();
    records.markStale(B);
    const bank = aggregateBank(records.all(), 1_000, MAX_AGE_MS)!;
    assert.deepEqual(bank.missing, [{ address: B, reason: "stale" }]);
    assert.equal(bank.nominalCapacity, 480);
    assert.equal(bank.packs.find((p) => p.address === B)!.fresh, false);
    records.recordReading(B, "pack B", reading(), 2_000);
    assert.deepEqual(aggregateBank(records.all(), 2_000, MAX_AGE_MS)!.missing, []);
  });

  it("counts only packs with discharge on in dischargeAvailable and with charge on in chargeAvailable", () => {
    const records = new PackRecords([A, B, C]);
    records.recordReading(A, null, reading({ residualCapacity: 40, nominalCapacity: 200 }), 0);
    records.recordReading(
      B,
      null,
      reading({ residualCapacity: 80, nominalCapacity: 100, mos: { charge: true, discharge: false } }),
      0,
    );
    records.recordReading(
      C,
      null,
      reading({ residualCapacity: 140, nominalCapacity: 280, mos: { charge: false, discharge: true } }),
      0,
    );
    const bank = aggregateBank(records.all(), 0, MAX_AGE_MS)!;
    assert.equal(bank.dischargeAvailable, 180, "40 + 140 Ah: pack B cannot deliver its 80 Ah");
    assert.equal(bank.chargeAvailable, 180, "160 + 20 Ah of room: pack C cannot take its 140 Ah");
    assert.equal(bank.residualCapacity, 260, "the packs themselves still count");
  });

  it("lists every active protection with its pack, from the fresh packs only", () => {
    const records = threePacks();
    records.recordReading(A, null, reading({ protectionActive: ["cellOvervoltage", "mosSoftwareLock"] }), 0);
    records.recordReading(B, null, reading({ protectionActive: ["chargeOvertemperature"] }), 0);
    records.markStale(B);
    assert.deepEqual(aggregateBank(records.all(), 0, MAX_AGE_MS)!.protectionActive, [
      { address: A, flag: "cellOvervoltage" },
      { address: A, flag: "mosSoftwareLock" },
    ]);
  });

  it("gives nothing until a pack is fresh, and says which packs were never seen", () => {
    const records = new PackRecords([A, B, C]);
    assert.equal(aggregateBank(records.all(), 0, MAX_AGE_MS), null);
    records.markStale(A);
    assert.equal(aggregateBank(records.all(), 0, MAX_AGE_MS), null, "a stale resend alone is no data");
    records.recordReading(B, null, reading(), 0);
    const bank = aggregateBank(records.all(), 0, MAX_AGE_MS)!;
    assert.deepEqual(bank.missing, [
      { address: A, reason: "stale" },
      { address: C, reason: "never seen" },
    ]);
    assert.deepEqual(
      bank.packs.map((p) => p.address),
      [B],
      "only packs with values are listed",
    );
  });

  it("has no NaN or null for what the fresh packs cannot tell: cell and temperature fields are left out", () => {
    const records = new PackRecords([A]);
    records.recordReading(A, null, reading({ cellMin: null, cellMax: null, cellDelta: null, temperatures: [] }), 0);
    const bank = aggregateBank(records.all(), 0, MAX_AGE_MS)!;
    for (const key of ["cellMin", "cellMinPack", "cellMax", "cellMaxPack", "cellDelta", "cellSpread"]) {
      assert.equal(key in bank, false, key);
    }
    assert.equal("temperatureMin" in bank, false);
    const values = JSON.stringify(bank, (_key, value) => (Number.isNaN(value) ? "NaN" : value));
    assert.doesNotMatch(values, /NaN/);
  });

  it("gives a time remaining only while the bank is not resting (the pack payload's rule)", () => {
    const records = new PackRecords([A]);
    records.recordReading(A, null, reading({ current: 0.5, residualCapacity: 50, nominalCapacity: 100 }), 0);
    assert.equal(aggregateBank(records.all(), 0, MAX_AGE_MS)!.timeRemainingS, null);
    records.recordReading(A, null, reading({ current: 25, residualCapacity: 50, nominalCapacity: 100 }), 0);
    assert.equal(aggregateBank(records.all(), 0, MAX_AGE_MS)!.timeRemainingS, 2 * 3600);
  });
});
