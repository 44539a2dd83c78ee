import { jbdChecksum } from "../protocol/checksum";
import { encodeResponse } from "../protocol/frame";
import { FRAME_END, FRAME_OVERHEAD, FRAME_START, Operation, Register } from "../protocol/registers";
import type { BatterySpec } from "./battery-spec";
import type { PackReadings } from "./pack-physics";

/** Status bytes of a response (PROTOCOL 2.2). */
const STATUS_OK = 0x00;
const STATUS_ERROR = 0x80;
const FACTORY_MODE_KEY = 0x5678;

export interface ParsedRequest {
  operation: number;
  register: number;
  data: Uint8Array;
}

/** A well-formed request (`DD op reg len data csH csL 77` with a correct checksum), or null: the BMS ignores junk. */
export function parseRequest(bytes: Uint8Array): ParsedRequest | null {
  if (bytes.length < FRAME_OVERHEAD || bytes[0] !== FRAME_START) return null;
  const len = bytes[3] as number;
  if (bytes.length !== len + FRAME_OVERHEAD || bytes[bytes.length - 1] !== FRAME_END) return null;
  const checksum = ((bytes[4 + len] as number) << 8) | (bytes[5 + len] as number);
  if (checksum !== jbdChecksum(bytes, 2, 4 + len)) return null;
  const operation = bytes[1] as number;
  if (operation !== Operation.Read && operation !== Operation.Write) return null;
  return { operation, register: bytes[2] as number, data: bytes.slice(4, 4 + len) };
}

/** What the BMS state machine needs from the battery to answer a request. */
export interface ResponderTarget {
  readonly spec: BatterySpec;
  readings(): PackReadings;
  setLockMask(mask: number): void;
  factoryMode: boolean;
}

/** Answers one request frame as a JBD BMS does, or returns null for a frame it ignores (bad checksum, junk). */
export function respond(target: ResponderTarget, request: Uint8Array): Uint8Array | null {
  const parsed = parseRequest(request);
  if (!parsed) return null;
  const { operation, register, data } = parsed;
  if (operation === Operation.Read) {
    switch (register) {
      case Register.BasicInfo:
        return encodeResponse(register, STATUS_OK, basicInfoData(target.spec, target.readings()));
      case Register.CellVoltages:
        return encodeResponse(register, STATUS_OK, cellVoltagesData(target.readings()));
      case Register.HardwareVersion:
        return encodeResponse(register, STATUS_OK, new TextEncoder().encode(target.spec.model));
      default:
        return encodeResponse(register, STATUS_ERROR);
    }
  }
  const value = data.length === 2 ? ((data[0] as number) << 8) | (data[1] as number) : -1;
  switch (register) {
    case Register.MosControl:
      if (value < 0 || value > 3) return encodeResponse(register, STATUS_ERROR);
      target.setLockMask(value);
      return encodeResponse(register, STATUS_OK);
    case Register.FactoryModeEnter:
      if (value !== FACTORY_MODE_KEY) return encodeResponse(register, STATUS_ERROR);
      target.factoryMode = true;
      return encodeResponse(register, STATUS_OK);
    case Register.FactoryModeExit:
      target.factoryMode = false;
      return encodeResponse(register, STATUS_OK);
    default:
      return encodeResponse(register, STATUS_ERROR);
  }
}

function putU16(out: Uint8Array, offset: number, value: number): void {
  const v = Math.round(value) & 0xffff;
  out[offset] = v >> 8;
  out[offset + 1] = v & 0xff;
}

/** 0x03 data (PROTOCOL 3.1), with the V11 trailer (3.3) when the model has one. */
export function basicInfoData(spec: BatterySpec, r: PackReadings): Uint8Array {
  const ntc = spec.ntcCount;
  const out = new Uint8Array(23 + 2 * ntc + (spec.v11Trailer ? 9 : 0));
  putU16(out, 0, r.voltage * 100);
  putU16(out, 2, r.current * 100);
  putU16(out, 4, r.residualAh * 100);
  putU16(out, 6, spec.nominalAh * 100);
  putU16(out, 8, r.cycles);
  const d = spec.productionDate;
  putU16(out, 10, ((d.year - 2000) << 9) | (d.month << 5) | d.day);
  let balance = 0;
  r.balancing.forEach((on, i) => {
    if (on) balance |= 1 << i;
  });
  putU16(out, 12, balance & 0xffff);
  putU16(out, 14, (balance >>> 16) & 0xffff);
  putU16(out, 16, r.protection);
  out[18] = spec.softwareVersion;
  out[19] = Math.round(r.soc);
  out[20] = (r.mos.charge ? 1 : 0) | (r.mos.discharge ? 2 : 0);
  out[21] = spec.cells;
  out[22] = ntc;
  for (let i = 0; i < ntc; i++) putU16(out, 23 + 2 * i, (r.temperatures[i] ?? 25) * 10 + 2731);
  if (spec.v11Trailer) {
    const t = 23 + 2 * ntc;
    out[t] = 0; // humidity: no sensor
    putU16(out, t + 1, r.alarm);
    putU16(out, t + 3, spec.nominalAh * 100);
    putU16(out, t + 5, r.residualAh * 100);
    putU16(out, t + 7, 0); // balance current, mA
  }
  return out;
}

/** 0x04 data: one u16 per cell in mV, cell 1 first. */
export function cellVoltagesData(r: PackReadings): Uint8Array {
  const out = new Uint8Array(2 * r.cellVoltages.length);
  r.cellVoltages.forEach((v, i) => {
    putU16(out, 2 * i, v * 1000);
  });
  return out;
}
