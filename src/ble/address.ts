import { describeInput } from "../describe-input";
import { BmsError } from "../errors";

const COLON_FORM = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;
const BARE_FORM = /^[0-9A-F]{12}$/;

/**
 * The one address rule of the package: normalises a Bluetooth address to upper case with colons
 * (`aa-bb-cc-00-00-01`, `aabbcc000001` and ` aa:bb:cc:00:00:01 ` all become `AA:BB:CC:00:00:01`); anything else is
 * INVALID_INPUT naming `what` (the field it came from) and quoting at most the start of the value.
 */
export function normaliseAddress(input: unknown, what = "the battery address"): string {
  if (typeof input !== "string") {
    throw new BmsError("INVALID_INPUT", `${what} must be a string like AA:BB:CC:00:00:01, not ${describeInput(input)}`);
  }
  const upper = input.trim().toUpperCase().replace(/-/g, ":");
  if (COLON_FORM.test(upper)) return upper;
  if (BARE_FORM.test(upper)) return upper.match(/.{2}/g)!.join(":");
  throw new BmsError(
    "INVALID_INPUT",
    `${what} ${describeInput(input)} is not a Bluetooth address like AA:BB:CC:00:00:01`,
  );
}

/** noble's peripheral id for an address: lower case without colons (the HCI bindings' convention). */
export function peripheralIdOf(address: string): string {
  return address.replace(/:/g, "").toLowerCase();
}
