import { jbdChecksum } from "./checksum";
import { FRAME_END, FRAME_OVERHEAD, FRAME_START } from "./registers";

/**
 * One whole, checksum-verified frame as the BMS sent it: `DD reg status len data csH csL 77`.
 * An echoed request (`DD A5 03 00 FF FD 77`) also parses as a frame (register 0xA5, status 0x03), which is how a
 * BMS that needs pairing is recognised.
 */
export interface Frame {
  register: number;
  status: number;
  data: Uint8Array;
  /** The complete frame bytes, start to end marker. */
  raw: Uint8Array;
}

/**
 * Builds `DD b1 b2 len data csH csL 77`. For a request b1 is the operation (0xA5/0x5A) and b2 the register; for a
 * response b1 is the register and b2 the status. The checksum rule is the same for both.
 */
export function encodeFrame(byte1: number, byte2: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (data.length > 0xff) throw new RangeError(`frame data too long: ${data.length} bytes`);
  const out = new Uint8Array(data.length + FRAME_OVERHEAD);
  out[0] = FRAME_START;
  out[1] = byte1 & 0xff;
  out[2] = byte2 & 0xff;
  out[3] = data.length;
  out.set(data, 4);
  const cs = jbdChecksum(out, 2, 4 + data.length);
  out[4 + data.length] = cs >> 8;
  out[5 + data.length] = cs & 0xff;
  out[6 + data.length] = FRAME_END;
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
