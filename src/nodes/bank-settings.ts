import { BmsError } from "../errors";
import { normalizeAddress } from "../protocol/address";
import { ADDRESS_SETTING, BANK_SETTINGS, forEditor, readSettings } from "./settings-schema";

/** The bms-bank properties as they arrive from flow JSON (DESIGN 4.8 style: numbers may come as strings). */
export interface BankSettingsInput {
  packs?: unknown;
  maxAge?: unknown;
}

export interface BankSettings {
  /** Normalised addresses, in the order the user listed them. */
  packs: string[];
  maxAgeMs: number;
}

/**
 * The rules the editor validates with and the runtime enforces (from the settings schema). The node exports them as
 * the Node-RED node setting `bmsBankRules`, which the editor reads from RED.settings, so the dialog and the runtime
 * share one source.
 */
export const BANK_RULES = { address: ADDRESS_SETTING, ...forEditor(BANK_SETTINGS) };

/**
 * Parses the bank's settings, or throws one INVALID_INPUT BmsError naming every problem: no packs, an address that
 * is not one, a pack listed twice, a maxAge out of range. A bank is never built from settings that fail here.
 */
export function parseBankSettings(input: BankSettingsInput): BankSettings {
  const problems: string[] = [];
  const packs: string[] = [];
  if (!Array.isArray(input.packs) || input.packs.length === 0) {
    problems.push("packs must list at least one battery address");
  } else {
    for (const raw of input.packs) {
      try {
        const address = normalizeAddress(raw);
        if (packs.includes(address)) problems.push(`${address} is listed twice`);
        else packs.push(address);
      } catch (err) {
        problems.push((err as BmsError).message);
      }
    }
  }
  const age = readSettings(BANK_SETTINGS, input, ["maxAge"]);
  problems.push(...age.problems);
  if (problems.length > 0) {
    throw new BmsError("INVALID_INPUT", `Invalid bms-bank settings: ${problems.join("; ")}`, { details: { problems } });
  }
  return { packs, maxAgeMs: age.values.maxAge * 1000 };
}
