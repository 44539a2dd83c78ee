import { encodeBasicInfo } from "../protocol/encode-basic-info";
import { encodeFrame } from "../protocol/frame";
import { parseFrame } from "../protocol/parse-frame";
import { isProtocolError } from "../protocol/protocol-error";
import { Register } from "../protocol/registers";
import { decodeRequest, type Request } from "../protocol/requests";
import type { BatterySpec } from "./battery-spec";
import type { PackReadings } from "./pack-physics";

/** Status bytes of a response (PROTOCOL 2.2). */
const STATUS_OK = 0x00;
const STATUS_ERROR = 0x80;
const FACTORY_MODE_KEY = 0x5678;

/**
 * A well-formed request (`DD op reg len data csH csL 77` with a correct checksum and a read or write operation), read
 * with the package's own parser, or null: the BMS ignores junk.
 */
function readRequest(bytes: Uint8Array): Request | null {
  try {
    return decodeRequest(parseFrame(bytes));
  } catch (error) {
    if (isProtocolError(error)) return null;
    throw error;
  }
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
  const parsed = readRequest(request);
  if (!parsed) return null;
  const { operation, register, data } = parsed;
  if (operation === "read") {
    switch (register) {
      case Register.BasicInfo:
        return basicInfoResponse(target.spec, target.readings());
      case Register.CellVoltages:
        return encodeFrame(register, STATUS_OK, cellVoltagesData(target.readings()));
      case Register.HardwareVersion:
        return encodeFrame(register, STATUS_OK, new TextEncoder().encode(target.spec.model));
      default:
        return encodeFrame(register, STATUS_ERROR);
    }
  }
  const value = data.length === 2 ? ((data[0] as number) << 8) | (data[1] as number) : -1;
  switch (register) {
    case Register.MosControl:
      if (value < 0 || value > 3) return encodeFrame(register, STATUS_ERROR);
      target.setLockMask(value);
      return encodeFrame(register, STATUS_OK);
    case Register.FactoryModeEnter:
      if (value !== FACTORY_MODE_KEY) return encodeFrame(register, STATUS_ERROR);
      target.factoryMode = true;
      return encodeFrame(register, STATUS_OK);
    case Register.FactoryModeExit:
      target.factoryMode = false;
      return encodeFrame(register, STATUS_OK);
    default:
      return encodeFrame(register, STATUS_ERROR);
  }
}

/** The 0x03 reply (PROTOCOL 3.1), with the V11 trailer (3.3) when the model has one. */
function basicInfoResponse(spec: BatterySpec, r: PackReadings): Uint8Array {
  return encodeBasicInfo({
    voltage: r.voltage,
    current: r.current,
    residualCapacity: r.residualAh,
    nominalCapacity: spec.nominalAh,
    cycles: r.cycles,
    productionDate: spec.productionDate,
    balancing: r.balancing,
    protectionWord: r.protection,
    softwareVersion: spec.softwareVersion,
    stateOfCharge: Math.round(r.soc),
    mos: r.mos,
    cellCount: spec.cells,
    temperatures: r.temperatures,
    ...(spec.v11Trailer
      ? {
          // No humidity sensor and no balance current: zeros, as real packs without them send.
          extra: {
            humidity: 0,
            alarm: r.alarm,
            fullChargeCapacity: spec.nominalAh,
            remainingCapacity: r.residualAh,
            balanceCurrent: 0,
          },
        }
      : {}),
  });
}

function putU16(out: Uint8Array, offset: number, value: number): void {
  const v = Math.round(value) & 0xffff;
  out[offset] = v >> 8;
  out[offset + 1] = v & 0xff;
}

/** 0x04 data: one u16 per cell in mV, cell 1 first. */
function cellVoltagesData(r: PackReadings): Uint8Array {
  const out = new Uint8Array(2 * r.cellVoltages.length);
  r.cellVoltages.forEach((v, i) => {
    putU16(out, 2 * i, v * 1000);
  });
  return out;
}
