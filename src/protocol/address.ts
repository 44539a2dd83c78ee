import { BmsError } from "../errors";

/**
 * What people may type as a battery address: six hex pairs separated by ":" or "-" (mixed too), or twelve hex
 * digits, in any case, with blanks around it. Kept as a pattern source so the editor can read the very same rule
 * (bms-bank exports it through Node-RED's node settings).
 */
export const ADDRESS_INPUT = { source: "^(?:[0-9A-F]{2}(?:[:-][0-9A-F]{2}){5}|[0-9A-F]{12})$", flags: "i" } as const;

const ADDRESS_INPUT_PATTERN = new RegExp(ADDRESS_INPUT.source, ADDRESS_INPUT.flags);

/**
 * Battery addresses in the form the pool keys on: upper case, colon separated. People paste them in lower case,
 * with dashes or without separators, so all of those are accepted. It lives in the protocol layer because the FF AA
 * password encoders (auth.ts) take the address too and the nodes import downwards; src/ble/address.ts still has a
 * second normaliser for the pool (issue 17 merges the two).
 */
export function normalizeAddress(raw: unknown): string {
  if (typeof raw !== "string") throw new BmsError("INVALID_INPUT", "The battery address must be a string");
  const trimmed = raw.trim();
  if (!ADDRESS_INPUT_PATTERN.test(trimmed)) {
    throw new BmsError("INVALID_INPUT", `"${raw}" is not a Bluetooth address like AA:BB:CC:00:00:01`);
  }
  return trimmed
    .replace(/[:-]/g, "")
    .toUpperCase()
    .replace(/(..)(?!$)/g, "$1:");
}
