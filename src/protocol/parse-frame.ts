import { describeInput } from "../describe-input";
import { jbdChecksum } from "./checksum";
import { type Frame, toHex } from "./frame";
import { ProtocolError } from "./protocol-error";
import { FRAME_END, FRAME_OVERHEAD, FRAME_START, Operation } from "./registers";

/** Bytes before the data: start marker, register (or operation), status (or register), length. */
export const HEADER_LENGTH = 4;
/** The longest possible frame: the length byte allows 255 data bytes. */
export const MAX_FRAME_LENGTH = 0xff + FRAME_OVERHEAD;

/**
 * Whether the header at `start` (a 0xDD with its header bytes present) can begin a JBD frame: a response's status
 * byte is 0x00, 0x80, 0x81, 0x82 or 0x83 (PROTOCOL 2.2), and a request (which a BMS that wants pairing echoes) has
 * the operation 0xA5 or 0x5A in byte 1. Anything else is a 0xDD inside other bytes, e.g. a cell at 3.293 V (0x0CDD).
 */
export function canStartFrame(bytes: Uint8Array, start: number): boolean {
  const status = bytes[start + 2] as number;
  if (status === 0x00 || (status >= 0x80 && status <= 0x83)) return true;
  const operation = bytes[start + 1] as number;
  return operation === Operation.Read || operation === Operation.Write;
}

/** Total frame length announced by the header at `start` (the caller has checked the length byte is there). */
export function declaredFrameLength(bytes: Uint8Array, start: number): number {
  return (bytes[start + 3] as number) + FRAME_OVERHEAD;
}

/**
 * Verifies the frame whose header starts at `start` (a 0xDD, with all `declaredFrameLength` bytes present) and
 * returns it as a copy, or the reason it is not a frame. Returns instead of throwing because the reassembler
 * meets bad candidates all the time on a noisy link. With `runningSums` (`runningSums[i]` = the sum of
 * `bytes[0, i)`, modulo 2^32) the checksum costs the same for any length, which keeps the reassembler linear on
 * input crafted so that every position looks like a long frame.
 */
export function checkFrameAt(bytes: Uint8Array, start: number, runningSums?: Int32Array): Frame | "tail" | "checksum" {
  const dataLength = bytes[start + 3] as number;
  const dataEnd = start + HEADER_LENGTH + dataLength;
  if (bytes[dataEnd + 2] !== FRAME_END) return "tail";
  const sent = ((bytes[dataEnd] as number) << 8) | (bytes[dataEnd + 1] as number);
  const expected =
    runningSums === undefined
      ? jbdChecksum(bytes, start + 2, dataEnd)
      : (0x10000 - ((runningSums[dataEnd] as number) - (runningSums[start + 2] as number))) & 0xffff;
  if (sent !== expected) return "checksum";
  // Copies, never views: a Buffer's slice() aliases the caller's memory, which BLE stacks reuse. And two small
  // copies beat one copy plus a view: a view of a small typed array makes V8 move it out of the heap.
  return {
    register: bytes[start + 1] as number,
    status: bytes[start + 2] as number,
    data: copyOf(bytes, start + HEADER_LENGTH, dataEnd),
    raw: copyOf(bytes, start, dataEnd + 3),
  };
}

/**
 * Refuses an argument that is not bytes with a TypeError that names the function: a caller's mistake (null, a hex
 * string, an array of numbers), not a damaged frame, so it is not a ProtocolError.
 */
export function assertBytes(value: unknown, where: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${where} takes a Uint8Array or Buffer, not ${describeInput(value)}`);
  }
}

/**
 * Parses bytes that must hold exactly one whole frame (a captured frame, a request). Throws BAD_FRAME otherwise, and
 * a TypeError for an argument that is not a Uint8Array or Buffer.
 */
export function parseFrame(bytes: Uint8Array): Frame {
  assertBytes(bytes, "parseFrame()");
  const fail = (reason: "length" | "tail" | "checksum", why: string) =>
    new ProtocolError("BAD_FRAME", reason, `not a JBD frame: ${why} (${toHex(bytes)})`, {
      details: { frame: toHex(bytes) },
    });
  if (bytes.length < FRAME_OVERHEAD || bytes[0] !== FRAME_START) throw fail("length", "no frame header");
  if (declaredFrameLength(bytes, 0) !== bytes.length) {
    throw fail("length", `length byte says ${declaredFrameLength(bytes, 0)} bytes, got ${bytes.length}`);
  }
  const result = checkFrameAt(bytes, 0);
  if (result === "tail") throw fail("tail", "no 0x77 end marker");
  if (result === "checksum") throw fail("checksum", "checksum mismatch");
  return result;
}

/**
 * A copy of bytes[start, end). TypedArray's own slice() always copies, even when called on a Buffer (whose slice()
 * would alias), and it is far faster than a loop.
 */
function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}
