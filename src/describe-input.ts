/** How much of a string input an error message quotes: enough to recognise it, never a whole flooded field. */
const QUOTED_PREFIX = 40;

/**
 * A short description of a value a user sent, for error messages and logs: a string is quoted (only its first 40
 * characters when longer, with its length), anything else is named by its kind. A message never carries a copy of
 * a huge input (a 10 MB msg.address would otherwise travel into every Catch node and log line).
 */
export function describeInput(value: unknown): string {
  if (typeof value === "string") {
    if (value.length <= QUOTED_PREFIX) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, QUOTED_PREFIX))}… (${value.length} characters)`;
  }
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "a Buffer";
  if (value instanceof Date) return "a Date";
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  return String(value);
}
