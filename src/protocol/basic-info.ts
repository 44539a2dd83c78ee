import { type Frame, toHex } from "./frame";
import { checkStatus, expectRegister } from "./frame-checks";
import type { BasicInfo, BasicInfoExtra, ProtectionFlags, ProtectionName } from "./payload";
import { ProtocolError } from "./protocol-error";
import { Register } from "./registers";

/** Data bytes before the NTC temperatures (PROTOCOL 3.1). */
export const FIXED_LENGTH = 23;
/** The newer firmware trailer after the NTCs: humidity, alarm, full-charge and remaining capacity, balance current. */
export const V11_TRAILER_LENGTH = 9;
/** Kelvin offset in the 0.1 K temperature unit: 0 deg C = 2731. */
export const ZERO_CELSIUS_DECIKELVIN = 2731;

/**
 * Protection word bits 0..14 in bit order (PROTOCOL 3.2). Bits 0..12 agree across every source. Bits 13 and 14 carry
 * the names of the vendor's V11 document (charge / discharge MOSFET breakdown), the only one that names them: PDF4
 * calls them reserved and ESPHome labels bit 13 "charge timeout close". Bit 15 is reserved everywhere and not named;
 * `protectionWord` keeps all 16 bits.
 */
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
  "chargeMosFault",
  "dischargeMosFault",
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
export const FET_CHARGE = 0x01;
export const FET_DISCHARGE = 0x02;
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
  if (data.length < FIXED_LENGTH) throw tooShort(frame, FIXED_LENGTH);
  const ntcCount = data[22] as number;
  const trailerStart = FIXED_LENGTH + 2 * ntcCount;
  if (data.length < trailerStart) throw tooShort(frame, trailerStart);

  const fet = data[20] as number;
  // Current and capacities are decoded in hundredths (10 mA / 10 mAh), times 10 under the x10 units flag.
  const unitScale = fet & FET_TENFOLD_UNITS ? 10 : 1;
  const cellCount = data[21] as number;
  const protectionWord = u16(data, 16);
  // Plain loops here and below: this runs for every poll of every battery.
  const protection = {} as ProtectionFlags;
  const protectionActive: ProtectionName[] = [];
  for (let bit = 0; bit < PROTECTION_BITS.length; bit++) {
    const name = PROTECTION_BITS[bit] as ProtectionName;
    const set = (protectionWord & (1 << bit)) !== 0;
    protection[name] = set;
    if (set) protectionActive.push(name);
  }
  const temperatures = new Array<number | null>(ntcCount);
  for (let index = 0; index < ntcCount; index++) {
    const raw = u16(data, FIXED_LENGTH + 2 * index);
    // 0 K is no reading: the sensor is absent or unplugged (-273.1 deg C would be invented).
    temperatures[index] = raw === 0 ? null : (raw - ZERO_CELSIUS_DECIKELVIN) / 10;
  }

  const info: BasicInfo = {
    voltage: u16(data, 0) / 100,
    current: (i16(data, 2) * unitScale) / 100,
    residualCapacity: (u16(data, 4) * unitScale) / 100,
    nominalCapacity: (u16(data, 6) * unitScale) / 100,
    cycles: u16(data, 8),
    productionDate: decodeProductionDate(u16(data, 10)),
    balancing: decodeBalancing(u16(data, 12), u16(data, 14), cellCount),
    protectionWord,
    protection,
    protectionActive,
    softwareVersion: decodeSoftwareVersion(data[18] as number),
    stateOfCharge: data[19] as number,
    mos: { charge: (fet & FET_CHARGE) !== 0, discharge: (fet & FET_DISCHARGE) !== 0 },
    cellCount,
    temperatures,
  };
  if (data.length > trailerStart) info.extra = decodeTrailer(data.subarray(trailerStart), unitScale);
  return info;
}

/**
 * Big-endian words read by hand: a DataView (or .buffer) on a small typed array makes V8 move it out of the heap,
 * which costs more than the whole decode.
 */
function u16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
}

function i16(bytes: Uint8Array, offset: number): number {
  const word = u16(bytes, offset);
  return word & 0x8000 ? word - 0x10000 : word;
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

/** The production date word counts years from 2000 (bits 15..9). */
export const DATE_BASE_YEAR = 2000;

/** Bits 15..9 = year - 2000, 8..5 = month, 4..0 = day. 0 means "not set"; an impossible date is null, not guessed. */
function decodeProductionDate(word: number): string | null {
  if (word === 0) return null;
  const year = DATE_BASE_YEAR + (word >> 9);
  const month = (word >> 5) & 0x0f;
  const day = word & 0x1f;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Vendor mapping (PROTOCOL 3.6): bit0 of bytes 12-13 = cell 1 ... bit0 of bytes 14-15 = cell 17; one per cell. */
function decodeBalancing(low: number, high: number, cellCount: number): boolean[] {
  const balancing = new Array<boolean>(cellCount);
  for (let cell = 0; cell < cellCount; cell++) {
    if (cell < 16) balancing[cell] = (low & (1 << cell)) !== 0;
    else if (cell < 32) balancing[cell] = (high & (1 << (cell - 16))) !== 0;
    else balancing[cell] = false;
  }
  return balancing;
}

/** Nibbles: 0x80 -> "8.0", 0x10 -> "1.0", 0x44 -> "4.4" (PROTOCOL 3.4; not the byte / 10 some tools print). */
function decodeSoftwareVersion(byte: number): string {
  return `${byte >> 4}.${byte & 0x0f}`;
}

/** V11 trailer (PROTOCOL 3.3) when at least 9 bytes follow the NTCs; anything unknown is kept as hex. */
function decodeTrailer(tail: Uint8Array, unitScale: number): BasicInfoExtra {
  if (tail.length < V11_TRAILER_LENGTH) return { unknownTail: toHex(tail) };
  const alarm = u16(tail, 1);
  const extra: BasicInfoExtra = {
    humidity: tail[0] as number,
    alarm,
    alarmActive: ALARM_BITS.filter((_, bit) => (alarm & (1 << bit)) !== 0),
    fullChargeCapacity: (u16(tail, 3) * unitScale) / 100,
    remainingCapacity: (u16(tail, 5) * unitScale) / 100,
    balanceCurrent: u16(tail, 7) / 1000,
  };
  if (tail.length > V11_TRAILER_LENGTH) extra.unknownTail = toHex(tail.subarray(V11_TRAILER_LENGTH));
  return extra;
}
