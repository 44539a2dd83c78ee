import { normalizeAddress } from "../protocol/address";
import type { PasswordListSetting } from "./settings-schema";

/**
 * The FF AA module passwords of an adapter's batteries (PROTOCOL 5.2 b), as its credential gives them: one password
 * for every battery, or one per battery address. Never printed: describePasswords says what is set without a password.
 */
export interface ModulePasswords {
  /** The one password of every battery (the single form). */
  every?: string;
  /** Per-battery passwords by address, upper case with colons. */
  byAddress: ReadonlyMap<string, string>;
}

export const NO_PASSWORDS: ModulePasswords = { byAddress: new Map() };

/** The lookup the pool asks at link setup: the battery's password, or undefined for none. */
export function passwordLookup(passwords: ModulePasswords): (address: string) => string | undefined {
  return (address) => passwords.byAddress.get(address) ?? passwords.every;
}

/** What is set, for logs: never a password. */
export function describePasswords(passwords: ModulePasswords): string {
  if (passwords.every !== undefined) return "a module password for every battery";
  const count = passwords.byAddress.size;
  return count === 0 ? "no module password" : `module passwords for ${count} ${count === 1 ? "battery" : "batteries"}`;
}

/**
 * Reads the credential: blank for none; exactly one password (taken as it is: a password may hold spaces, commas or
 * "="); or entries `AA:BB:CC:DD:EE:FF=123456` separated by commas or line breaks, with blanks around an entry, its
 * address and its password ignored. Each problem is added to `problems` naming the field, the entry by its position
 * and, once it is one, its address, but never a word of a password (or of what might be one), since problems end up
 * in messages and logs. resources/editor-rules.js applies the same rules in the editor.
 */
export function readPasswordList(
  name: string,
  setting: PasswordListSetting,
  raw: unknown,
  problems: string[],
): ModulePasswords {
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) return NO_PASSWORDS;
  if (typeof raw !== "string") {
    problems.push(`${name} must be text`);
    return NO_PASSWORDS;
  }
  const isPassword = (text: string) => new RegExp(setting.password.source, setting.password.flags).test(text);
  if (isPassword(raw)) return { every: raw, byAddress: new Map() };
  const entries = raw
    .split(new RegExp(setting.separator.source, setting.separator.flags))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const [only] = entries;
  if (entries.length === 1 && only !== undefined && !only.includes("=")) {
    if (isPassword(only)) return { every: only, byAddress: new Map() };
    problems.push(`${name} must be ${setting.password.rule}, or entries ADDRESS=PASSWORD ${SEPARATED}`);
    return NO_PASSWORDS;
  }
  const byAddress = new Map<string, string>();
  entries.forEach((entry, index) => {
    const which = `${name} entry ${index + 1}`;
    const equals = entry.indexOf("=");
    if (equals < 0) {
      problems.push(`${which} is not ADDRESS=PASSWORD (one password for every battery stands alone)`);
      return;
    }
    let address: string;
    try {
      address = normalizeAddress(entry.slice(0, equals));
    } catch {
      problems.push(`${which}: the part before "=" is not a Bluetooth address like AA:BB:CC:DD:EE:FF`);
      return;
    }
    const password = entry.slice(equals + 1).trim();
    if (!isPassword(password)) problems.push(`${which} (${address}): the password must be ${setting.password.rule}`);
    else if (byAddress.has(address)) problems.push(`${which}: ${address} has a password already`);
    else byAddress.set(address, password);
  });
  return byAddress.size === 0 ? NO_PASSWORDS : { byAddress };
}

const SEPARATED = "separated by commas or line breaks";
