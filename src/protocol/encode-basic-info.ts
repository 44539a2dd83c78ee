import {
  DATE_BASE_YEAR,
  daysInMonth,
  FET_CHARGE,
  FET_DISCHARGE,
  FIXED_LENGTH,
  V11_TRAILER_LENGTH,
  ZERO_CELSIUS_DECIKELVIN,
} from "./basic-info";
import { encodeFrame } from "./frame";
import type { BasicInfo, BasicInfoExtra } from "./payload";
import { Register } from "./registers";

/**
 * What encodeBasicInfo reads: a BasicInfo without the fields that are derived from others (the protection flags and
 * their names come from `protectionWord`, the alarm names from `extra.alarm`). A decoded BasicInfo is one.
 */
export type EncodableBasicInfo = Omit<BasicInfo, "protection" | "protectionActive" | "extra"> & {
  extra?: Omit<BasicInfoExtra, "alarmActive">;
};

/** Balance bits exist for cells 1..32 (two 16-bit words, PROTOCOL 3.6). */
const BALANCE_BITS = 32;

/**
 * A 0x03 "basic info" response (status 0) for `info`: the inverse of decodeBasicInfo, used by the simulator and the
 * tests. Values are rounded to the wire's resolution (10 mV, 10 mA, 10 mAh, 0.1 K, 1 mA of balance current) and
 * written in the classic units (the x10 flag is never set). A null temperature is sent as raw 0, the way the BMS
 * reports a missing sensor; `extra` becomes the V11 trailer (all five fields) followed by `unknownTail`, or just the
 * unknown bytes. Throws RangeError for a value the frame cannot carry or that would read back differently (a date or
 * version the decoder would not produce, balancing flags that are not one per cell, an unknown tail of 9 bytes or
 * more without the V11 fields).
 */
export function encodeBasicInfo(info: EncodableBasicInfo): Uint8Array {
  const ntcCount = info.temperatures.length;
  const trailer = encodeTrailer(info.extra);
  const data = new Uint8Array(FIXED_LENGTH + 2 * ntcCount + trailer.length);
  putWord(data, 0, scaled(info.voltage, 100, 0, 0xffff, "voltage"));
  putWord(data, 2, scaled(info.current, 100, -0x8000, 0x7fff, "current"));
  putWord(data, 4, scaled(info.residualCapacity, 100, 0, 0xffff, "residualCapacity"));
  putWord(data, 6, scaled(info.nominalCapacity, 100, 0, 0xffff, "nominalCapacity"));
  putWord(data, 8, whole(info.cycles, 0, 0xffff, "cycles"));
  putWord(data, 10, encodeProductionDate(info.productionDate));
  const cellCount = whole(info.cellCount, 0, 0xff, "cellCount");
  const [balanceLow, balanceHigh] = encodeBalancing(info.balancing, cellCount);
  putWord(data, 12, balanceLow);
  putWord(data, 14, balanceHigh);
  putWord(data, 16, whole(info.protectionWord, 0, 0xffff, "protectionWord"));
  data[18] = encodeSoftwareVersion(info.softwareVersion);
  data[19] = whole(info.stateOfCharge, 0, 0xff, "stateOfCharge");
  data[20] = (info.mos.charge ? FET_CHARGE : 0) | (info.mos.discharge ? FET_DISCHARGE : 0);
  data[21] = cellCount;
  data[22] = whole(ntcCount, 0, 0xff, "temperatures.length");
  info.temperatures.forEach((celsius, index) => {
    const raw =
      celsius === null
        ? 0
        : scaled(celsius, 10, 1 - ZERO_CELSIUS_DECIKELVIN, 0xffff - ZERO_CELSIUS_DECIKELVIN, "temperature") +
          ZERO_CELSIUS_DECIKELVIN;
    putWord(data, FIXED_LENGTH + 2 * index, raw);
  });
  data.set(trailer, FIXED_LENGTH + 2 * ntcCount);
  return encodeFrame(Register.BasicInfo, 0, data);
}

function putWord(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}

/** `value` in wire units (value * perUnit, rounded), checked against the field's range. */
function scaled(value: number, perUnit: number, min: number, max: number, name: string): number {
  const raw = Math.round(value * perUnit);
  if (!Number.isFinite(raw) || raw < min || raw > max) {
    throw new RangeError(`${name} ${value} does not fit the 0x03 frame (${min / perUnit} to ${max / perUnit})`);
  }
  return raw;
}

function whole(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** "YYYY-MM-DD" for a date the word can hold (2000..2127, a real day), null as 0. */
function encodeProductionDate(date: string | null): number {
  if (date === null) return 0;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const years = year - DATE_BASE_YEAR;
  if (years < 0 || years > 0x7f || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`productionDate must be null or a real day "YYYY-MM-DD" in 2000..2127, got ${date}`);
  }
  return (years << 9) | (month << 5) | day;
}

/** "major.minor" with both 0..15, as decodeBasicInfo writes the nibbles (0x80 -> "8.0"). */
function encodeSoftwareVersion(version: string): number {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  const major = Number(match?.[1]);
  const minor = Number(match?.[2]);
  if (!match || major > 15 || minor > 15 || `${major}.${minor}` !== version) {
    throw new RangeError(`softwareVersion must be two nibbles like "8.0" or "1.10", got ${version}`);
  }
  return (major << 4) | minor;
}

/** One flag per cell; bit 0 of the low word is cell 1, bit 0 of the high word cell 17; no bits past cell 32. */
function encodeBalancing(balancing: boolean[], cellCount: number): [number, number] {
  if (balancing.length !== cellCount) {
    throw new RangeError(`balancing needs one flag per cell (${cellCount}), got ${balancing.length}`);
  }
  let low = 0;
  let high = 0;
  balancing.forEach((on, cell) => {
    if (!on) return;
    if (cell >= BALANCE_BITS) throw new RangeError(`the 0x03 frame has balance bits for cells 1..32, not ${cell + 1}`);
    if (cell < 16) low |= 1 << cell;
    else high |= 1 << (cell - 16);
  });
  return [low, high];
}

/** The bytes after the NTCs: the V11 trailer when its fields are given, then the unknown tail as sent. */
function encodeTrailer(extra: EncodableBasicInfo["extra"]): Uint8Array {
  if (extra === undefined) return new Uint8Array(0);
  const unknownTail = extra.unknownTail ?? "";
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(unknownTail))
    throw new RangeError(`unknownTail must be hex bytes, got ${unknownTail}`);
  const unknown = Uint8Array.from(Buffer.from(unknownTail, "hex"));
  const { humidity, alarm, fullChargeCapacity, remainingCapacity, balanceCurrent } = extra;
  if (
    humidity === undefined &&
    alarm === undefined &&
    fullChargeCapacity === undefined &&
    remainingCapacity === undefined &&
    balanceCurrent === undefined
  ) {
    if (unknown.length >= V11_TRAILER_LENGTH) {
      throw new RangeError(`an unknown tail of ${unknown.length} bytes would read back as the V11 trailer`);
    }
    return unknown;
  }
  if (
    humidity === undefined ||
    alarm === undefined ||
    fullChargeCapacity === undefined ||
    remainingCapacity === undefined ||
    balanceCurrent === undefined
  ) {
    throw new RangeError(
      "the V11 trailer needs humidity, alarm, fullChargeCapacity, remainingCapacity and balanceCurrent",
    );
  }
  const trailer = new Uint8Array(V11_TRAILER_LENGTH + unknown.length);
  trailer[0] = whole(humidity, 0, 0xff, "humidity");
  putWord(trailer, 1, whole(alarm, 0, 0xffff, "alarm"));
  putWord(trailer, 3, scaled(fullChargeCapacity, 100, 0, 0xffff, "fullChargeCapacity"));
  putWord(trailer, 5, scaled(remainingCapacity, 100, 0, 0xffff, "remainingCapacity"));
  putWord(trailer, 7, scaled(balanceCurrent, 1000, 0, 0xffff, "balanceCurrent"));
  trailer.set(unknown, V11_TRAILER_LENGTH);
  return trailer;
}
