import { BmsError } from "../errors";

/** The error codes a protocol-level failure can carry (a subset of ErrorCode, DESIGN 4.3). */
export type ProtocolErrorCode = "BAD_FRAME" | "BMS_REJECTED" | "NEEDS_PAIRING";

/**
 * Why a frame was refused, for logs and tests:
 * - `checksum`: the two checksum bytes do not match the sum;
 * - `tail`: the byte where the declared length puts the end marker is not 0x77;
 * - `length`: the data is too short, too long or odd for what the register carries;
 * - `register`: a decoder was handed a frame of another register, or a request frame was malformed;
 * - `status`: the BMS answered with a non-zero status byte;
 * - `echo`: the BMS sent the request back unchanged (it wants BLE pairing first).
 */
export type ProtocolErrorReason = "checksum" | "tail" | "length" | "register" | "status" | "echo";

export interface ProtocolErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
  /** The register byte of the frame concerned (for a request frame, its operation byte), when there is one. */
  register?: number;
  /** The whole length its header announces (data + 7), for a candidate frame the assembler threw away. */
  declaredLength?: number;
}

/**
 * A frame or reply that is not what it should be: the failure decoders throw and FrameAssembler reports. A caller's
 * own mistake is not one: an argument that is not bytes is a TypeError, a bad address INVALID_INPUT, a value out of
 * range a TypeError or RangeError.
 */
export class ProtocolError extends BmsError {
  // `declare` narrows the inherited field's type without emitting a class field that would overwrite it.
  declare readonly code: ProtocolErrorCode;
  readonly reason: ProtocolErrorReason;
  readonly register: number | undefined;
  readonly declaredLength: number | undefined;

  constructor(code: ProtocolErrorCode, reason: ProtocolErrorReason, message: string, options?: ProtocolErrorOptions) {
    super(code, message, options);
    this.name = "ProtocolError";
    this.reason = reason;
    this.register = options?.register;
    this.declaredLength = options?.declaredLength;
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}
