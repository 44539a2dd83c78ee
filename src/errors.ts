/** The node types whose help lists an error code. */
export type HelpedNode = "bms-poll" | "bms-mos" | "bms-bank";

/** Everything the package says about one error code, in one place. */
export interface ErrorRecord {
  /**
   * The short text of a red badge: a key in the bms-adapter catalog's `status` section (under 20 characters in
   * en-US), sent to the editor as it is so that each browser shows it in its own language.
   */
  badge: string;
  /** The link is unusable after it: the pool closes the link, so the next use reconnects cleanly. */
  closesLink: boolean;
  /**
   * A connect that fails with it is the battery's failure, so that battery backs off before its next connect; false
   * for failures of the adapter or the pool, which other batteries share.
   */
  batteryFault: boolean;
  /** One line (HTML) for the help of the nodes listed in `helpOf`, which `npm run build` writes into them. */
  help: string;
  helpOf: readonly HelpedNode[];
}

const POLL_AND_MOS = ["bms-poll", "bms-mos"] as const;

/**
 * The error codes shared by every layer (DESIGN 4.3), one record each. Node-RED users see the codes as
 * `msg.error.code` in Catch nodes, so the strings are a public contract: never rename one. The pool's link-breaking
 * set, the badges and the help's error lists are all read from here; README "Errors" names every code (a test checks).
 */
export const ERROR_RECORDS = {
  ADAPTER_UNAVAILABLE: {
    badge: "noAdapter",
    closesLink: false,
    batteryFault: false,
    help: "no usable Bluetooth adapter, native binding or permission; the message says how to fix it.",
    helpOf: POLL_AND_MOS,
  },
  ADAPTER_OFF: {
    badge: "adapterOff",
    closesLink: false,
    batteryFault: false,
    help: "the adapter is powered off; the links come back when it is on.",
    helpOf: POLL_AND_MOS,
  },
  NOT_FOUND: {
    badge: "notFound",
    closesLink: false,
    batteryFault: true,
    help: "the battery does not advertise: out of range, asleep, or the phone app holds it.",
    helpOf: POLL_AND_MOS,
  },
  CONNECT_TIMEOUT: {
    badge: "connectTimeout",
    closesLink: false,
    batteryFault: true,
    help: "the connection was not made within the connect timeout.",
    helpOf: POLL_AND_MOS,
  },
  CONNECT_FAILED: {
    badge: "connectFailed",
    closesLink: false,
    batteryFault: true,
    help: "the connection could not be made; the battery is tried again after a pause that doubles from 2 s to 60 s.",
    helpOf: POLL_AND_MOS,
  },
  NOT_A_JBD: {
    badge: "notJbd",
    closesLink: false,
    batteryFault: true,
    help: "the device has no JBD service (ff00 or fff0).",
    helpOf: POLL_AND_MOS,
  },
  NEEDS_PAIRING: {
    badge: "needsPairing",
    closesLink: true,
    batteryFault: true,
    help:
      "the BMS echoes requests until its Bluetooth module is paired with a passkey (usually 123456; on Linux once " +
      "with <code>bluetoothctl pair</code>); the raw-HCI transport cannot pair itself, see the README. The link " +
      "is closed.",
    helpOf: POLL_AND_MOS,
  },
  PASSWORD_REQUIRED: {
    badge: "passwordRequired",
    closesLink: true,
    batteryFault: true,
    help:
      "the battery's Bluetooth module wants the FF AA password before it passes anything to the BMS: set it in the " +
      "BMS adapter's <i>Module password</i> field. The link is closed; the next link asks the module at once, and " +
      "while it still wants one the battery backs off like a failed connect.",
    helpOf: POLL_AND_MOS,
  },
  PASSWORD_REJECTED: {
    badge: "passwordRejected",
    closesLink: true,
    batteryFault: true,
    help:
      "the battery's Bluetooth module refused the password set in the BMS adapter's <i>Module password</i> field: " +
      "correct it there. The link is closed, and the battery backs off like a failed connect, so a wrong password " +
      "is not tried again and again.",
    helpOf: POLL_AND_MOS,
  },
  RESPONSE_TIMEOUT: {
    badge: "noResponse",
    closesLink: true,
    batteryFault: true,
    help: "no answer to a request, nor to its one retry; the link is closed and the next use reconnects.",
    helpOf: POLL_AND_MOS,
  },
  BAD_FRAME: {
    badge: "badFrame",
    closesLink: false,
    batteryFault: true,
    help:
      "the reply came damaged twice in a row, or 0x03 and 0x04 disagreed on the number of cells twice in a row: " +
      "nothing is sent rather than invented values; the link stays.",
    helpOf: POLL_AND_MOS,
  },
  BMS_REJECTED: {
    badge: "rejected",
    closesLink: false,
    batteryFault: true,
    help: "the BMS answered with an error status (a command it does not support, or a password it wants); the link stays.",
    helpOf: POLL_AND_MOS,
  },
  LINK_LOST: {
    badge: "linkLost",
    closesLink: true,
    batteryFault: true,
    help: "the link dropped while in use; the next use reconnects.",
    helpOf: POLL_AND_MOS,
  },
  RELEASED: {
    badge: "releasedShort",
    closesLink: false,
    batteryFault: false,
    help: "the battery is held off by a <code>release</code> message (the badge stays blue).",
    helpOf: POLL_AND_MOS,
  },
  POOL_CLOSED: {
    badge: "poolClosed",
    closesLink: false,
    batteryFault: false,
    help: "the adapter was closed (a redeploy) while the work waited.",
    helpOf: POLL_AND_MOS,
  },
  INVALID_INPUT: {
    badge: "invalidInput",
    closesLink: false,
    batteryFault: true,
    help:
      "a missing or malformed address, payload or setting, or a poll or switch node whose adapter is missing or " +
      "not a BMS adapter; nothing is sent, and the message quotes at most the first 40 characters of what was sent.",
    helpOf: ["bms-poll", "bms-mos", "bms-bank"],
  },
  WRITES_DISABLED: {
    badge: "writesDisabled",
    closesLink: false,
    batteryFault: true,
    help: "<i>Allow switching</i> is not ticked; nothing is sent to the BMS.",
    helpOf: ["bms-mos"],
  },
  MOS_NOT_CONFIRMED: {
    badge: "notConfirmed",
    closesLink: false,
    batteryFault: true,
    help:
      "the state read back differs from the command (a BMS may keep a port off, e.g. while a protection is " +
      "tripped); the state read is in <code>msg.bms.state</code>.",
    helpOf: ["bms-mos"],
  },
  NODE_CLOSED: {
    badge: "nodeClosed",
    closesLink: false,
    batteryFault: true,
    help: "the node was redeployed, disabled or deleted before this message's work began: a command not yet written (nothing was written) or a poll still waiting behind another (nothing was read). A closed node sends no output.",
    helpOf: POLL_AND_MOS,
  },
} as const satisfies Record<string, ErrorRecord>;

export type ErrorCode = keyof typeof ERROR_RECORDS;

export const ERROR_CODES = Object.keys(ERROR_RECORDS) as readonly ErrorCode[];

/** The record of a code. */
export function errorRecord(code: ErrorCode): ErrorRecord {
  return ERROR_RECORDS[code];
}

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
  return new BmsError(code, errorMessage(error), { cause: error });
}

/** The message of anything thrown: an Error's message, else the value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
