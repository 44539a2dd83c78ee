import { type EncodableBasicInfo, encodeBasicInfo, encodeFrame, parseFrame } from "../../src/protocol";

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

/** The 4S 280 Ah pack of the app capture, as encodeBasicInfo takes it. */
export const SAMPLE_BASIC_INFO: Readonly<EncodableBasicInfo> = {
  voltage: 13.32,
  current: 0,
  residualCapacity: 268.25,
  nominalCapacity: 280,
  cycles: 0,
  productionDate: "2022-03-28",
  balancing: [false, false, false, false],
  protectionWord: 0,
  softwareVersion: "8.0",
  stateOfCharge: 96,
  mos: { charge: true, discharge: true },
  cellCount: 4,
  temperatures: [19.4, 19.4, 19],
};

/** The sample's 0x03 frame with some fields replaced; balancing follows cellCount unless given. */
export function basicInfoFrame(overrides: Partial<EncodableBasicInfo> = {}): Uint8Array {
  const cellCount = overrides.cellCount ?? SAMPLE_BASIC_INFO.cellCount;
  return encodeBasicInfo({ ...SAMPLE_BASIC_INFO, balancing: new Array(cellCount).fill(false), ...overrides });
}

/**
 * `frame` with its data bytes from data offset `offset` on replaced, checksum recomputed: puts wire values exactly as
 * PROTOCOL documents them into a frame, including ones the encoder never writes (x10 flag, FET 0x0B, bad dates).
 */
export function withDataBytes(frame: Uint8Array, offset: number, bytes: number[]): Uint8Array {
  const parsed = parseFrame(frame);
  const data = Uint8Array.from(parsed.data);
  data.set(bytes, offset);
  return encodeFrame(parsed.register, parsed.status, data);
}
