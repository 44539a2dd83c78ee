import { type Frame, toHex } from "./frame";
import { ProtocolError } from "./protocol-error";

function hexByte(value: number): string {
  return `0x${value.toString(16).padStart(2, "0").toUpperCase()}`;
}

/** PROTOCOL 2.2: 0x80 error (PDF4); 0x81 operation invalid, 0x82 check error, 0x83 password error (PDF11). */
const STATUS_MEANINGS: Readonly<Record<number, string>> = {
  128: "error / not supported",
  129: "operation invalid (not in factory mode, or the BMS password is not set)",
  130: "check error",
  131: "password error",
};

/** Throws BMS_REJECTED when the BMS answered with a non-zero status byte; the message names that byte. */
export function checkStatus(frame: Frame): void {
  if (frame.status === 0) return;
  const meaning = STATUS_MEANINGS[frame.status] ?? "unknown status";
  throw new ProtocolError(
    "BMS_REJECTED",
    "status",
    `BMS rejected register ${hexByte(frame.register)} with status ${hexByte(frame.status)} (${meaning})`,
    { details: { register: frame.register, status: frame.status, frame: toHex(frame.raw) }, register: frame.register },
  );
}

/** Throws BAD_FRAME when a decoder is handed a frame of another register (a late or duplicate reply). */
export function expectRegister(frame: Frame, register: number, what: string): void {
  if (frame.register === register) return;
  throw new ProtocolError(
    "BAD_FRAME",
    "register",
    `expected a ${hexByte(register)} ${what} frame, got register ${hexByte(frame.register)}`,
    {
      details: { expected: register, register: frame.register, frame: toHex(frame.raw) },
      register: frame.register,
    },
  );
}

/** A write acknowledgement: `DD reg 00 00 00 00 77` (status 0, no data, checksum 0x0000). */
export function isAck(frame: Frame, register: number): boolean {
  return frame.register === register && frame.status === 0 && frame.data.length === 0;
}

/**
 * True when the BMS sent our request straight back. Some current firmware echoes every write until the central has
 * paired with a passkey (PROTOCOL 5.2 c); the session turns this into NEEDS_PAIRING.
 */
export function isRequestEcho(frame: Frame, request: Uint8Array): boolean {
  if (frame.raw.length !== request.length) return false;
  return frame.raw.every((byte, index) => byte === request[index]);
}

/**
 * The error for a BMS that echoes requests: its Bluetooth module wants passkey pairing before it answers (PROTOCOL
 * 5.2 c). The raw-HCI transport cannot do that pairing (noble's HCI stack pairs only without a passkey and does not
 * read BlueZ's keys), so the message says how to pair on Linux with BlueZ and that our transport cannot.
 */
export function needsPairingError(request: Uint8Array, address?: string): ProtocolError {
  const who = address ?? "the BMS";
  return new ProtocolError(
    "NEEDS_PAIRING",
    "echo",
    `${who} echoes requests instead of answering: its Bluetooth module wants pairing with a passkey ` +
      `(usually 123456), and the raw-HCI transport cannot pair. On Linux pair it once with BlueZ: ` +
      `\`bluetoothctl pair ${address ?? "<address>"}\`, passkey 123456; untested with this package, see the ` +
      `README, "Modules that want pairing"`,
    { details: { request: toHex(request) } },
  );
}
