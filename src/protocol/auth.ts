import { normalizeAddress } from "./address";
import { toHex } from "./frame";
import { ProtocolError } from "./protocol-error";
import { assertByte } from "./requests";

/**
 * The "FF AA" authentication of newer JBD Bluetooth modules (PROTOCOL 5.2 b): `FF AA cmd len data cs` with
 * cs = (cmd + len + sum of data) & 0xFF and no end marker. The module relays nothing to the BMS until the central has
 * sent the app key, the password and the root password, the last two encrypted with the module's address and a
 * random byte the module hands out. These frames never start with 0xDD, so FrameAssembler skips them; AuthReplyReader
 * picks them out of the same notification stream.
 */

/** First two bytes of every FF AA frame. */
export const AUTH_START = 0xff;
const AUTH_SECOND = 0xaa;
/** FF AA cmd len + checksum. */
export const AUTH_OVERHEAD = 5;
/** Bytes of an FF AA header: FF AA cmd len. */
export const AUTH_HEADER_LENGTH = 4;
/** Every FF AA reply we know carries one byte (a status or the random byte) or none. */
export const MAX_AUTH_REPLY_DATA = 1;

/** FF AA command bytes (PROTOCOL 5.2 b). */
export const AuthCommand = {
  /** App key `"000000"`; the reply's status says whether a password is needed. */
  AppKey: 0x15,
  /** Asks the module for a random byte (reply data = the byte). */
  RandomRequest: 0x17,
  /** The user password, encrypted. */
  Password: 0x18,
  /** The fixed root password, encrypted. */
  Root: 0x1d,
} as const;

const KNOWN_COMMANDS: ReadonlySet<number> = new Set(Object.values(AuthCommand));

/** Status byte of the replies to AppKey, Password and Root (ESP's reading of the captures, PROTOCOL 5.2 b). */
export const AuthStatus = {
  /** App key: accepted, a password is required. Password and root: accepted. */
  Accepted: 0x00,
  /** Refused: a wrong app key, password or root password (the password NACK). */
  Rejected: 0x01,
  /** App key only: the module has no password, nothing else is needed. */
  NoPassword: 0x02,
} as const;

/** A decoded FF AA reply: the random byte for RandomRequest, the status byte for the others. */
export interface AuthReply {
  command: number;
  status?: number;
  random?: number;
}

/** The phone app's app key, always ASCII "000000" (ESP sends the same). */
const APP_KEY = "000000";
/** The root password every module accepts after the user password (PROTOCOL 5.2 b step 4). */
const ROOT_PASSWORD = "JBDbtpwd!@#2023";
/** Length of a user password. */
const PASSWORD_LENGTH = 6;
/**
 * What a user password may be: exactly 6 printable ASCII characters (a password is typed, so a stray control
 * character, a pasted tab or newline, is refused). Kept as a pattern source so the editor can read the very same
 * rule (the adapter's settings schema hands it over).
 */
export const AUTH_PASSWORD_INPUT = {
  source: `^[\\x20-\\x7e]{${PASSWORD_LENGTH}}$`,
  flags: "",
  rule: `exactly ${PASSWORD_LENGTH} printable ASCII characters`,
} as const;
const PASSWORD_PATTERN = new RegExp(AUTH_PASSWORD_INPUT.source, AUTH_PASSWORD_INPUT.flags);

/**
 * True for a password the FF AA encoders take: exactly 6 printable ASCII characters. The one definition of that rule:
 * the adapter's settings check with it too.
 */
export function isAuthPassword(value: unknown): value is string {
  return typeof value === "string" && PASSWORD_PATTERN.test(value);
}

/** `FF AA 15 06 "000000" 3B`: the first step of the handshake. */
export function encodeAuthAppKey(): Uint8Array {
  return encodeAuthFrame(AuthCommand.AppKey, asciiBytes(APP_KEY));
}

/** `FF AA 17 00 17`: asks for the random byte that keys the next encrypted frame. */
export function encodeAuthRandomRequest(): Uint8Array {
  return encodeAuthFrame(AuthCommand.RandomRequest, new Uint8Array(0));
}

/**
 * The 0x18 frame: `FF AA 18 06 e0..e5 cs`, e[i] = ((mac[i] XOR password[i]) + random) & 0xFF, where mac is the
 * module's address in display order (A4:C1:… gives mac[0] = 0xA4) and random the byte of the last 0x17 reply.
 * `address` takes any form the package accepts (`a4:c1:37:04:2d:be`, dashes, no separators); a bad one is
 * INVALID_INPUT. `password` must be exactly 6 printable ASCII characters (TypeError), `random` a byte (RangeError).
 */
export function encodeAuthPassword(address: string, password: string, random: number): Uint8Array {
  if (!isAuthPassword(password)) {
    throw new TypeError(`the Bluetooth module password must be exactly ${PASSWORD_LENGTH} printable ASCII characters`);
  }
  return encodeAuthFrame(AuthCommand.Password, encrypt(address, password, random));
}

/** The 0x1D frame: the root password "JBDbtpwd!@#2023" encrypted as encodeAuthPassword does, mac byte 0 past byte 6. */
export function encodeAuthRoot(address: string, random: number): Uint8Array {
  return encodeAuthFrame(AuthCommand.Root, encrypt(address, ROOT_PASSWORD, random));
}

/**
 * A module's reply, `FF AA cmd len data cs` (used by the simulator and by tests): one byte of data (a status, or the
 * random byte for 0x17) or none.
 */
export function encodeAuthReply(command: number, value?: number): Uint8Array {
  assertByte(command, "command");
  if (value === undefined) return encodeAuthFrame(command, new Uint8Array(0));
  assertByte(value, "reply byte");
  return encodeAuthFrame(command, Uint8Array.of(value));
}

/**
 * Decodes bytes that must hold exactly one FF AA reply. Throws a ProtocolError (BAD_FRAME) and nothing else: for no
 * FF AA header or a length that does not match (`length`), more than one data byte or a known command without its
 * byte (`length`), a wrong checksum (`checksum`).
 */
export function decodeAuthReply(bytes: Uint8Array): AuthReply {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError("BAD_FRAME", "length", "not an FF AA reply: expected bytes");
  }
  const fail = (reason: "length" | "checksum", why: string) =>
    new ProtocolError("BAD_FRAME", reason, `not an FF AA reply: ${why} (${toHex(bytes)})`, {
      details: { frame: toHex(bytes) },
    });
  if (bytes.length < AUTH_OVERHEAD || !hasAuthHeaderAt(bytes, 0)) throw fail("length", "no FF AA header");
  const declared = (bytes[3] as number) + AUTH_OVERHEAD;
  if (declared !== bytes.length) throw fail("length", `length byte says ${declared} bytes, got ${bytes.length}`);
  const result = checkAuthReplyAt(bytes, 0);
  if (result === "checksum") throw fail("checksum", "checksum mismatch");
  if (result === "length") throw fail("length", "a reply carries one status or random byte");
  return result;
}

/** True when `bytes[start]` and `bytes[start + 1]` are FF AA. */
export function hasAuthHeaderAt(bytes: Uint8Array, start: number): boolean {
  return bytes[start] === AUTH_START && bytes[start + 1] === AUTH_SECOND;
}

/**
 * Checks the reply whose FF AA header is at `start` (all its declared bytes present) and returns it, or why it is
 * not one. Returns instead of throwing because AuthReplyReader meets bad candidates on a noisy link.
 */
export function checkAuthReplyAt(bytes: Uint8Array, start: number): AuthReply | "length" | "checksum" {
  const command = bytes[start + 2] as number;
  const length = bytes[start + 3] as number;
  if (length > MAX_AUTH_REPLY_DATA) return "length";
  const checksumAt = start + AUTH_HEADER_LENGTH + length;
  if (bytes[checksumAt] !== authChecksum(bytes, start + 2, checksumAt)) return "checksum";
  if (length === 0) return KNOWN_COMMANDS.has(command) ? "length" : { command };
  const value = bytes[start + AUTH_HEADER_LENGTH] as number;
  return command === AuthCommand.RandomRequest ? { command, random: value } : { command, status: value };
}

/** An FF AA frame with its parts, or null: what the module side (the simulator) reads from a central. */
export function parseAuthFrame(bytes: Uint8Array): { command: number; data: Uint8Array } | null {
  if (bytes.length < AUTH_OVERHEAD || !hasAuthHeaderAt(bytes, 0)) return null;
  const length = bytes[3] as number;
  if (bytes.length !== length + AUTH_OVERHEAD) return null;
  if (bytes[bytes.length - 1] !== authChecksum(bytes, 2, bytes.length - 1)) return null;
  return { command: bytes[2] as number, data: bytes.slice(AUTH_HEADER_LENGTH, AUTH_HEADER_LENGTH + length) };
}

/** (cmd + len + sum of data) & 0xFF over bytes[start, end). */
function authChecksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i] as number;
  return sum & 0xff;
}

function encodeAuthFrame(command: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + AUTH_OVERHEAD);
  out[0] = AUTH_START;
  out[1] = AUTH_SECOND;
  out[2] = command;
  out[3] = data.length;
  out.set(data, AUTH_HEADER_LENGTH);
  out[out.length - 1] = authChecksum(out, 2, out.length - 1);
  return out;
}

/** e[i] = ((mac[i] XOR secret[i]) + random) & 0xFF, with mac[i] = 0 past the six address bytes. */
function encrypt(address: string, secret: string, random: number): Uint8Array {
  assertByte(random, "random");
  const mac = normalizeAddress(address)
    .split(":")
    .map((hex) => Number.parseInt(hex, 16));
  const plain = asciiBytes(secret);
  return plain.map((byte, i) => (((mac[i] ?? 0) ^ byte) + random) & 0xff);
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}
