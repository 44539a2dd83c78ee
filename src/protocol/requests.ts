import { encodeFrame, type Frame, toHex } from "./frame";
import type { MosState } from "./payload";
import { ProtocolError } from "./protocol-error";
import { Operation, Register } from "./registers";

/** Throws RangeError unless `value` is an integer 0..255 (`what` names it in the message). */
export function assertByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff)
    throw new RangeError(`${what} must be a byte, got ${value}`);
}

/** `DD A5 reg 00 csH csL 77`, e.g. 0x03 -> `DD A5 03 00 FF FD 77`. */
export function encodeReadRequest(register: number): Uint8Array {
  assertByte(register, "register");
  return encodeFrame(Operation.Read, register);
}

/** `DD 5A reg len data csH csL 77`. */
export function encodeWriteRequest(register: number, data: Uint8Array): Uint8Array {
  assertByte(register, "register");
  return encodeFrame(Operation.Write, register, data);
}

/**
 * Register 0xE1 with the DESIRED on-states. The wire byte is a disable mask (bit0 = charge off, bit1 = discharge
 * off), so both on -> `DD 5A E1 02 00 00 FF 1D 77` and charge off -> `DD 5A E1 02 00 01 FF 1C 77` (PROTOCOL 5.1).
 * Callers pass the state they want for both ports, never one derived from the FET bits: a port that is off
 * because of a protection must not be software-locked as a side effect (PROTOCOL 5.1 pitfall).
 */
export function encodeMosRequest(desired: MosState): Uint8Array {
  const mask = (desired.charge ? 0 : 0b01) | (desired.discharge ? 0 : 0b10);
  return encodeWriteRequest(Register.MosControl, Uint8Array.of(0x00, mask));
}

/** "Exit factory mode without saving", `DD 5A 01 02 00 00 FF FD 77`: the phone app sends it after every 0xE1 write. */
export function encodeExitFactoryRequest(): Uint8Array {
  return encodeWriteRequest(Register.FactoryModeExit, Uint8Array.of(0x00, 0x00));
}

/** A host request as the BMS (or the simulator) receives it. */
export interface Request {
  operation: "read" | "write";
  register: number;
  data: Uint8Array;
}

/**
 * Reads a request frame that came through FrameAssembler (in a request, byte 1 is the operation and byte 2 the
 * register, which Frame calls `register` and `status`). Throws BAD_FRAME for anything but 0xA5/0x5A.
 */
export function decodeRequest(frame: Frame): Request {
  if (frame.register !== Operation.Read && frame.register !== Operation.Write) {
    const hex = toHex(frame.raw);
    throw new ProtocolError("BAD_FRAME", "register", `not a request (byte 1 is neither A5 nor 5A): ${hex}`, {
      details: { frame: hex },
    });
  }
  return { operation: frame.register === Operation.Read ? "read" : "write", register: frame.status, data: frame.data };
}

/** The desired MOSFET on-states carried by a 0xE1 write (the inverse of encodeMosRequest). */
export function decodeMosRequest(frame: Frame): MosState {
  const request = decodeRequest(frame);
  const hex = toHex(frame.raw);
  if (request.operation !== "write" || request.register !== Register.MosControl) {
    throw new ProtocolError("BAD_FRAME", "register", `not a 0xE1 MOSFET write: ${hex}`, { details: { frame: hex } });
  }
  const mask = request.data[1];
  if (request.data.length !== 2 || request.data[0] !== 0 || mask === undefined || mask > 0b11) {
    // PROTOCOL 5.1: the vendor document forbids values outside 0..3.
    throw new ProtocolError("BAD_FRAME", "length", `0xE1 data must be 00 00..00 03: ${hex}`, {
      details: { frame: hex },
    });
  }
  return { charge: (mask & 0b01) === 0, discharge: (mask & 0b10) === 0 };
}
