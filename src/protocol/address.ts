import { BmsError } from "../errors";

const MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/**
 * Battery addresses in the form the pool keys on: upper case, colon separated. People paste them in lower case,
 * with dashes or without separators, so all of those are accepted. It lives in the protocol layer because the FF AA
 * password encoders (auth.ts) take the address too and the nodes import downwards; src/ble/address.ts still has a
 * second normaliser for the pool (issue 17 merges the two).
 */
export function normalizeAddress(raw: unknown): string {
  if (typeof raw !== "string") throw new BmsError("INVALID_INPUT", "The battery address must be a string");
  let address = raw.trim().toUpperCase().replaceAll("-", ":");
  if (/^[0-9A-F]{12}$/.test(address)) address = address.replace(/(..)(?!$)/g, "$1:");
  if (!MAC.test(address)) {
    throw new BmsError("INVALID_INPUT", `"${raw}" is not a Bluetooth address like AA:BB:CC:00:00:01`);
  }
  return address;
}
