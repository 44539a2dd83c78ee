import { describeInput } from "../describe-input";
import { BmsError } from "../errors";

/**
 * What people may type as a battery address: six hex pairs separated by ":" or "-" (mixed too), or twelve hex
 * digits, in any case, with blanks around it. Kept as a pattern source, with the rule in words, so the editor can read
 * the very same rule (the nodes export it through Node-RED's node settings).
 */
export const ADDRESS_INPUT = {
  source: "^(?:[0-9A-F]{2}(?:[:-][0-9A-F]{2}){5}|[0-9A-F]{12})$",
  flags: "i",
  rule: "a Bluetooth address like AA:BB:CC:00:00:01",
} as const;

const ADDRESS_INPUT_PATTERN = new RegExp(ADDRESS_INPUT.source, ADDRESS_INPUT.flags);

/**
 * The one address rule of the package: a Bluetooth address in the form the pool keys on, upper case with colons
 * (`aa-bb-cc-00-00-01`, `aabbcc000001` and ` aa:bb:cc:00:00:01 ` all become `AA:BB:CC:00:00:01`). Anything else is
 * INVALID_INPUT naming `what` (the field it came from) and quoting at most the start of the value. It lives in the
 * protocol layer because the FF AA password encoders take the address too, and every layer above imports down.
 */
export function normalizeAddress(input: unknown, what = "the battery address"): string {
  if (typeof input !== "string") {
    throw new BmsError("INVALID_INPUT", `${what} must be a string like AA:BB:CC:00:00:01, not ${describeInput(input)}`);
  }
  const trimmed = input.trim();
  if (!ADDRESS_INPUT_PATTERN.test(trimmed)) {
    throw new BmsError("INVALID_INPUT", `${what} ${describeInput(input)} is not ${ADDRESS_INPUT.rule}`);
  }
  return trimmed
    .replace(/[:-]/g, "")
    .toUpperCase()
    .replace(/(..)(?!$)/g, "$1:");
}
