import { encodeResponse, Register } from "../../src/protocol";

/** Test helpers for building byte streams. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** Splits like a BLE link at ATT MTU 23 would (20 bytes per notification by default). */
export function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return parts;
}

/** Raw fields of a 0x03 data block (PROTOCOL 3.1), in wire units. */
export interface BasicInfoFields {
  voltage10mV: number;
  current10mA: number;
  residual10mAh: number;
  nominal10mAh: number;
  cycles: number;
  dateWord: number;
  balanceLow: number;
  balanceHigh: number;
  protection: number;
  version: number;
  soc: number;
  fet: number;
  cells: number;
  temperaturesDeciKelvin: number[];
  tail: number[];
}

const DEFAULT_FIELDS: BasicInfoFields = {
  voltage10mV: 1332,
  current10mA: 0,
  residual10mAh: 26825,
  nominal10mAh: 28000,
  cycles: 0,
  dateWord: 0x2c7c,
  balanceLow: 0,
  balanceHigh: 0,
  protection: 0,
  version: 0x80,
  soc: 96,
  fet: 0x03,
  cells: 4,
  temperaturesDeciKelvin: [2925, 2925, 2921],
  tail: [],
};

/** A checksummed 0x03 response built from fields (defaults: the 4S 280 Ah pack of the app capture). */
export function basicInfoFrame(overrides: Partial<BasicInfoFields> = {}): Uint8Array {
  const f = { ...DEFAULT_FIELDS, ...overrides };
  const data = Buffer.alloc(23 + 2 * f.temperaturesDeciKelvin.length + f.tail.length);
  data.writeUInt16BE(f.voltage10mV, 0);
  data.writeInt16BE(f.current10mA, 2);
  data.writeUInt16BE(f.residual10mAh, 4);
  data.writeUInt16BE(f.nominal10mAh, 6);
  data.writeUInt16BE(f.cycles, 8);
  data.writeUInt16BE(f.dateWord, 10);
  data.writeUInt16BE(f.balanceLow, 12);
  data.writeUInt16BE(f.balanceHigh, 14);
  data.writeUInt16BE(f.protection, 16);
  data.writeUInt8(f.version, 18);
  data.writeUInt8(f.soc, 19);
  data.writeUInt8(f.fet, 20);
  data.writeUInt8(f.cells, 21);
  data.writeUInt8(f.temperaturesDeciKelvin.length, 22);
  f.temperaturesDeciKelvin.forEach((t, i) => {
    data.writeUInt16BE(t, 23 + 2 * i);
  });
  Buffer.from(f.tail).copy(data, 23 + 2 * f.temperaturesDeciKelvin.length);
  return encodeResponse(Register.BasicInfo, 0, data);
}
