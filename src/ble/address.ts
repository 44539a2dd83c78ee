import { BmsError } from "../errors";

const COLON_FORM = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;
const BARE_FORM = /^[0-9A-F]{12}$/;

/**
 * Normalises a Bluetooth address to upper case with colons (`aa-bb-cc-00-00-01`, `aabbcc000001` and
 * `aa:bb:cc:00:00:01` all become `AA:BB:CC:00:00:01`); anything else is INVALID_INPUT.
 */
export function normaliseAddress(input: unknown): string {
  if (typeof input !== "string") throw new BmsError("INVALID_INPUT", "the battery address must be a string");
  const upper = input.trim().toUpperCase().replace(/-/g, ":");
  if (COLON_FORM.test(upper)) return upper;
  if (BARE_FORM.test(upper)) return upper.match(/.{2}/g)!.join(":");
  throw new BmsError("INVALID_INPUT", `"${input}" is not a Bluetooth address (expected AA:BB:CC:DD:EE:FF)`);
}

/** noble's peripheral id for an address: lower case without colons (the HCI bindings' convention). */
export function peripheralIdOf(address: string): string {
  return address.replace(/:/g, "").toLowerCase();
}
