import { type Frame, toHex } from "./frame";
import { checkStatus, expectRegister } from "./frame-checks";
import type { BasicInfo, BasicInfoExtra, ProtectionFlags, ProtectionName } from "./payload";
import { ProtocolError } from "./protocol-error";
import { Register } from "./registers";

/** Data bytes before the NTC temperatures (PROTOCOL 3.1). */
const FIXED_LENGTH = 23;
/** The newer firmware trailer after the NTCs: humidity, alarm, full-charge and remaining capacity, balance current. */
const V11_TRAILER_LENGTH = 9;
/** Kelvin offset in the 0.1 K temperature unit: 0 deg C = 2731. */
const ZERO_CELSIUS_DECIKELVIN = 2731;

/** Protection word bits 0..12 in bit order (PROTOCOL 3.2). Bits 13..15 are disputed or reserved and not named. */
export const PROTECTION_BITS: readonly ProtectionName[] = [
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
];

/** Alarm word bits 0..11 of the V11 trailer in bit order (PROTOCOL 3.2 alarm table); 12..15 are reserved. */
export const ALARM_BITS: readonly string[] = [
  "cellHighVoltage",
  "cellLowVoltage",
  "packHighVoltage",
  "packLowVoltage",
  "chargeHighTemperature",
  "chargeLowTemperature",
  "dischargeHighTemperature",
  "dischargeLowTemperature",
  "chargeOvercurrent",
  "dischargeOvercurrent",
  "cellVoltageDifference",
  "lowCapacity",
];

/** FET status byte (PROTOCOL 3.5): masked bits, never the whole byte (DWF packs send 0x0B). */
const FET_CHARGE = 0x01;
const FET_DISCHARGE = 0x02;
/** PDF11: bit 7 set = current and capacities come in 100 mA / 100 mAh instead of 10 mA / 10 mAh. */
const FET_TENFOLD_UNITS = 0x80;

/**
 * Decodes a 0x03 "basic info" response (PROTOCOL 3) into SI units. Any NTC count; a trailer after the NTCs goes to
 * `extra`. When the FET byte's bit 7 (the x10 units flag) is set, current and every capacity are multiplied by 10.
 * Throws BAD_FRAME for another register or data shorter than 23 + 2 * NTC bytes, BMS_REJECTED for a non-zero status.
 */
export function decodeBasicInfo(frame: Frame): BasicInfo {
  expectRegister(frame, Register.BasicInfo, "basic info");
  checkStatus(frame);
  const data = frame.data;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < FIXED_LENGTH) throw tooShort(frame, FIXED_LENGTH);
  const ntcCount = data[22] as number;
  const trailerStart = FIXED_LENGTH + 2 * ntcCount;
  if (data.length < trailerStart) throw tooShort(frame, trailerStart);

  const fet = data[20] as number;
  // Current and capacities are decoded in hundredths (10 mA / 10 mAh), times 10 under the x10 units flag.
  const unitScale = fet & FET_TENFOLD_UNITS ? 10 : 1;
  const cellCount = data[21] as number;
  const protectionWord = view.getUint16(16);
  const protection = Object.fromEntries(
    PROTECTION_BITS.map((name, bit) => [name, (protectionWord & (1 << bit)) !== 0]),
  ) as unknown as ProtectionFlags;

  const info: BasicInfo = {
    voltage: view.getUint16(0) / 100,
    current: (view.getInt16(2) * unitScale) / 100,
    residualCapacity: (view.getUint16(4) * unitScale) / 100,
    nominalCapacity: (view.getUint16(6) * unitScale) / 100,
    cycles: view.getUint16(8),
    productionDate: decodeProductionDate(view.getUint16(10)),
    balancing: decodeBalancing(view.getUint16(12), view.getUint16(14), cellCount),
    protection,
    protectionActive: PROTECTION_BITS.filter((name) => protection[name]),
    softwareVersion: decodeSoftwareVersion(data[18] as number),
    stateOfCharge: data[19] as number,
    mos: { charge: (fet & FET_CHARGE) !== 0, discharge: (fet & FET_DISCHARGE) !== 0 },
    cellCount,
    temperatures: Array.from(
      { length: ntcCount },
      (_, index) => (view.getUint16(FIXED_LENGTH + 2 * index) - ZERO_CELSIUS_DECIKELVIN) / 10,
    ),
  };
  if (data.length > trailerStart) info.extra = decodeTrailer(data.subarray(trailerStart), unitScale);
  return info;
}

function tooShort(frame: Frame, needed: number): ProtocolError {
  const hex = toHex(frame.raw);
  return new ProtocolError(
    "BAD_FRAME",
    "length",
    `0x03 basic info too short: ${frame.data.length} data bytes, needs ${needed}: ${hex}`,
    { details: { frame: hex } },
  );
}

/** Bits 15..9 = year - 2000, 8..5 = month, 4..0 = day. 0 means "not set"; an impossible date is null, not guessed. */
function decodeProductionDate(word: number): string | null {
  if (word === 0) return null;
  const year = 2000 + (word >> 9);
  const month = (word >> 5) & 0x0f;
  const day = word & 0x1f;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Vendor mapping (PROTOCOL 3.6): bit0 of bytes 12-13 = cell 1 ... bit0 of bytes 14-15 = cell 17; one per cell. */
function decodeBalancing(low: number, high: number, cellCount: number): boolean[] {
  return Array.from({ length: cellCount }, (_, cell) => {
    if (cell < 16) return (low & (1 << cell)) !== 0;
    if (cell < 32) return (high & (1 << (cell - 16))) !== 0;
    return false;
  });
}

/** Nibbles: 0x80 -> "8.0", 0x10 -> "1.0", 0x44 -> "4.4" (PROTOCOL 3.4; not the byte / 10 some tools print). */
function decodeSoftwareVersion(byte: number): string {
  return `${byte >> 4}.${byte & 0x0f}`;
}

/** V11 trailer (PROTOCOL 3.3) when at least 9 bytes follow the NTCs; anything unknown is kept as hex. */
function decodeTrailer(tail: Uint8Array, unitScale: number): BasicInfoExtra {
  if (tail.length < V11_TRAILER_LENGTH) return { unknownTail: toHex(tail) };
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const alarm = view.getUint16(1);
  const extra: BasicInfoExtra = {
    humidity: tail[0] as number,
    alarm,
    alarmActive: ALARM_BITS.filter((_, bit) => (alarm & (1 << bit)) !== 0),
    fullChargeCapacity: (view.getUint16(3) * unitScale) / 100,
    remainingCapacity: (view.getUint16(5) * unitScale) / 100,
    balanceCurrent: view.getUint16(7) / 1000,
  };
  if (tail.length > V11_TRAILER_LENGTH) extra.unknownTail = toHex(tail.subarray(V11_TRAILER_LENGTH));
  return extra;
}
