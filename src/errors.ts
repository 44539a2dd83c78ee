/**
 * Error codes shared by every layer (DESIGN 4.3). Node-RED users see them as `msg.error.code` in Catch nodes,
 * so the strings are a public contract: never rename one.
 */
export type ErrorCode =
  | "ADAPTER_UNAVAILABLE"
  | "ADAPTER_OFF"
  | "NOT_FOUND"
  | "CONNECT_TIMEOUT"
  | "CONNECT_FAILED"
  | "NOT_A_JBD"
  | "NEEDS_PAIRING"
  | "RESPONSE_TIMEOUT"
  | "BAD_FRAME"
  | "BMS_REJECTED"
  | "LINK_LOST"
  | "RELEASED"
  | "POOL_CLOSED"
  | "INVALID_INPUT"
  | "WRITES_DISABLED"
  | "MOS_NOT_CONFIRMED"
  | "NODE_CLOSED";

export const ERROR_CODES: readonly ErrorCode[] = [
  "ADAPTER_UNAVAILABLE",
  "ADAPTER_OFF",
  "NOT_FOUND",
  "CONNECT_TIMEOUT",
  "CONNECT_FAILED",
  "NOT_A_JBD",
  "NEEDS_PAIRING",
  "RESPONSE_TIMEOUT",
  "BAD_FRAME",
  "BMS_REJECTED",
  "LINK_LOST",
  "RELEASED",
  "POOL_CLOSED",
  "INVALID_INPUT",
  "WRITES_DISABLED",
  "MOS_NOT_CONFIRMED",
  "NODE_CLOSED",
];

/** Every failure that leaves our code is a BmsError: a message for people and a stable code for flows. */
export class BmsError extends Error {
  readonly code: ErrorCode;
  /** Extra facts for the flow (e.g. the MOSFET state read back for MOS_NOT_CONFIRMED). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BmsError";
    this.code = code;
    this.details = options?.details;
  }
}

export function isBmsError(value: unknown): value is BmsError {
  return value instanceof BmsError;
}

/**
 * Any failure as a BmsError: a BmsError stays itself; anything else (a TypeError deep in noble, a string someone
 * threw) becomes `code` with its message, the original kept as the cause. The caller names the code because only it
 * knows what failed: a connect attempt, a request on the link, the adapter.
 */
export function toBmsError(error: unknown, code: ErrorCode): BmsError {
  if (error instanceof BmsError) return error;
  return new BmsError(code, error instanceof Error ? error.message : String(error), { cause: error });
}
