import type { BasicInfo, BasicInfoExtra, BmsPayload } from "./payload";
import { AMP_HOURS, AMPS, CELL_VOLTS, CELSIUS, PACK_VOLTS, WATT_HOURS, WATTS } from "./precision";
import { roundTo } from "./rounding";
import { timeRemainingSeconds } from "./time-remaining";

/**
 * The bms-poll `msg.payload` (DESIGN 4.2) from a decoded 0x03, the 0x04 cell voltages as sent and the 0x05 string
 * (null when the BMS does not answer 0x05). Adds power = V * A, energyStored = residual Ah * V, timeRemainingS and the
 * cell statistics; with no cell voltages at all the statistics are NaN (null in JSON) rather than invented.
 */
export function buildPayload(basic: BasicInfo, cellVoltages: number[], hardwareVersion: string | null): BmsPayload {
  const voltage = roundTo(basic.voltage, PACK_VOLTS);
  const current = roundTo(basic.current, AMPS);
  const residualCapacity = roundTo(basic.residualCapacity, AMP_HOURS);
  const nominalCapacity = roundTo(basic.nominalCapacity, AMP_HOURS);
  const cells = cellVoltages.map((volts) => roundTo(volts, CELL_VOLTS));
  // Statistics in whole millivolts, so the average and delta carry no binary fractions.
  const millivolts = cells.map((volts) => Math.round(volts * 1000));
  const minMv = millivolts.length > 0 ? Math.min(...millivolts) : Number.NaN;
  const maxMv = millivolts.length > 0 ? Math.max(...millivolts) : Number.NaN;
  const sumMv = millivolts.reduce((sum, mv) => sum + mv, 0);

  const payload: BmsPayload = {
    voltage,
    current,
    power: roundTo(voltage * current, WATTS),
    stateOfCharge: basic.stateOfCharge,
    residualCapacity,
    nominalCapacity,
    energyStored: roundTo(residualCapacity * voltage, WATT_HOURS),
    cycles: basic.cycles,
    productionDate: basic.productionDate,
    softwareVersion: basic.softwareVersion,
    hardwareVersion,
    cellCount: basic.cellCount,
    cellVoltages: cells,
    cellMin: minMv / 1000,
    cellMax: maxMv / 1000,
    cellAverage: roundTo(sumMv / millivolts.length / 1000, CELL_VOLTS),
    cellDelta: (maxMv - minMv) / 1000,
    // From the payload's own figures, so a flow can recompute it.
    timeRemainingS: timeRemainingSeconds(current, residualCapacity, nominalCapacity),
    balancing: [...basic.balancing],
    temperatures: basic.temperatures.map((celsius) => (celsius === null ? null : roundTo(celsius, CELSIUS))),
    mos: { ...basic.mos },
    protectionWord: basic.protectionWord,
    protection: { ...basic.protection },
    protectionActive: [...basic.protectionActive],
  };
  if (basic.extra !== undefined) payload.extra = roundExtra(basic.extra);
  return payload;
}

function roundExtra(extra: BasicInfoExtra): BasicInfoExtra {
  const rounded: BasicInfoExtra = { ...extra };
  if (extra.alarmActive !== undefined) rounded.alarmActive = [...extra.alarmActive];
  if (extra.fullChargeCapacity !== undefined) rounded.fullChargeCapacity = roundTo(extra.fullChargeCapacity, AMP_HOURS);
  if (extra.remainingCapacity !== undefined) rounded.remainingCapacity = roundTo(extra.remainingCapacity, AMP_HOURS);
  if (extra.balanceCurrent !== undefined) rounded.balanceCurrent = roundTo(extra.balanceCurrent, 3);
  return rounded;
}
