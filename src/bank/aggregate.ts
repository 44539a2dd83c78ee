import { AMP_HOURS, AMPS, CELL_VOLTS, CELSIUS, PACK_VOLTS, PERCENT, WATT_HOURS, WATTS } from "../protocol/precision";
import { roundTo } from "../protocol/rounding";
import { timeRemainingSeconds } from "../protocol/time-remaining";
import type { BankPackSummary, BankPayload, MissingReason } from "./bank-payload";
import type { PackReading } from "./pack-reading";
import type { PackRecord } from "./pack-records";

/** Seconds shown for a pack's age. */
const AGE_DECIMALS = 1;

/**
 * The bank as one battery from its packs' records at time `now`: a pack counts when its last good payload is at
 * most `maxAgeMs` old and no stale resend came after it. Returns null while no pack counts, so nothing is invented
 * for a bank that has gone quiet. Pure: the same records and time give the same payload.
 */
export function aggregateBank(records: readonly PackRecord[], now: number, maxAgeMs: number): BankPayload | null {
  const fresh: { record: PackRecord; reading: PackReading }[] = [];
  const missing: BankPayload["missing"] = [];
  const packs: BankPackSummary[] = [];
  for (const record of records) {
    const reason = missingReason(record, now, maxAgeMs);
    if (reason === null) fresh.push({ record, reading: record.reading! });
    else missing.push({ address: record.address, reason });
    if (record.reading !== null) packs.push(summary(record, record.reading, now, reason === null));
  }
  if (fresh.length === 0) return null;

  const readings = fresh.map((f) => f.reading);
  const sum = (pick: (r: PackReading) => number) => readings.reduce((total, r) => total + pick(r), 0);
  const current = roundTo(
    sum((r) => r.current),
    AMPS,
  );
  const residualCapacity = roundTo(
    sum((r) => r.residualCapacity),
    AMP_HOURS,
  );
  const nominalCapacity = roundTo(
    sum((r) => r.nominalCapacity),
    AMP_HOURS,
  );

  const payload: BankPayload = {
    voltage: roundTo(sum((r) => r.voltage) / readings.length, PACK_VOLTS),
    current,
    power: roundTo(
      sum((r) => r.power),
      WATTS,
    ),
    residualCapacity,
    nominalCapacity,
    energyStored: roundTo(
      sum((r) => r.energyStored),
      WATT_HOURS,
    ),
    stateOfCharge: roundTo((100 * residualCapacity) / nominalCapacity, PERCENT),
    timeRemainingS: timeRemainingSeconds(current, residualCapacity, nominalCapacity),
    ...cellExtremes(fresh),
    ...temperatureExtremes(readings),
    dischargeAvailable: roundTo(
      sum((r) => (r.mos.discharge ? r.residualCapacity : 0)),
      AMP_HOURS,
    ),
    chargeAvailable: roundTo(
      sum((r) => (r.mos.charge ? Math.max(0, r.nominalCapacity - r.residualCapacity) : 0)),
      AMP_HOURS,
    ),
    protectionActive: fresh.flatMap(({ record, reading }) =>
      reading.protectionActive.map((flag) => ({ address: record.address, flag })),
    ),
    packsFresh: fresh.length,
    packsExpected: records.length,
    missing,
    packs,
  };
  return payload;
}

function missingReason(record: PackRecord, now: number, maxAgeMs: number): MissingReason | null {
  if (record.stale) return "stale";
  if (record.reading === null) return "never seen";
  return now - record.receivedAt > maxAgeMs ? "too old" : null;
}

function summary(record: PackRecord, reading: PackReading, now: number, fresh: boolean): BankPackSummary {
  return {
    address: record.address,
    name: record.name,
    voltage: reading.voltage,
    current: reading.current,
    stateOfCharge: reading.stateOfCharge,
    mos: { ...reading.mos },
    ageS: roundTo(Math.max(0, now - record.receivedAt) / 1000, AGE_DECIMALS),
    fresh,
  };
}

type CellFields = Pick<BankPayload, "cellMin" | "cellMinPack" | "cellMax" | "cellMaxPack" | "cellDelta" | "cellSpread">;

/** The bank's lowest and highest cell with their packs; nothing when no fresh pack reported cell voltages. */
function cellExtremes(fresh: { record: PackRecord; reading: PackReading }[]): CellFields {
  const withCells = fresh.filter(
    ({ reading }) => reading.cellMin !== null && reading.cellMax !== null && reading.cellDelta !== null,
  );
  if (withCells.length === 0) return {};
  const lowest = withCells.reduce((a, b) => (b.reading.cellMin! < a.reading.cellMin! ? b : a));
  const highest = withCells.reduce((a, b) => (b.reading.cellMax! > a.reading.cellMax! ? b : a));
  const cellMin = lowest.reading.cellMin!;
  const cellMax = highest.reading.cellMax!;
  return {
    cellMin,
    cellMinPack: lowest.record.address,
    cellMax,
    cellMaxPack: highest.record.address,
    cellDelta: Math.max(...withCells.map(({ reading }) => reading.cellDelta!)),
    cellSpread: roundTo(cellMax - cellMin, CELL_VOLTS),
  };
}

function temperatureExtremes(readings: PackReading[]): Pick<BankPayload, "temperatureMin" | "temperatureMax"> {
  const all = readings.flatMap((r) => r.temperatures);
  if (all.length === 0) return {};
  return { temperatureMin: roundTo(Math.min(...all), CELSIUS), temperatureMax: roundTo(Math.max(...all), CELSIUS) };
}
