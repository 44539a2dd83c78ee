import { BmsError } from "../errors";
import { ADDRESS_SETTING, forEditor, POLL_SETTINGS, readSettings } from "./settings-schema";

/** Shortest bms-poll interval (why: see POLL_SETTINGS). */
export const MIN_POLL_INTERVAL_SECONDS = POLL_SETTINGS.interval.min;

/** Longest bms-poll interval (why: see POLL_SETTINGS). */
export const MAX_POLL_INTERVAL_SECONDS = POLL_SETTINGS.interval.max;

/**
 * The bms-poll node settings exported to the editor: the interval's limits (`RED.settings.bmsPollIntervalMin` /
 * `…Max` there, which the dialog's number field shows) and the schema of its settings with the address rule
 * (`RED.settings.bmsPollSettings`, which its validators use), so the dialog checks against the very rules the
 * runtime uses.
 */
export const POLL_NODE_SETTINGS = {
  bmsPollIntervalMin: { value: MIN_POLL_INTERVAL_SECONDS, exportable: true },
  bmsPollIntervalMax: { value: MAX_POLL_INTERVAL_SECONDS, exportable: true },
  bmsPollSettings: { value: { address: ADDRESS_SETTING, ...forEditor(POLL_SETTINGS) }, exportable: true },
};

/**
 * The bms-poll `interval` property in seconds: blank is 0 (poll only on input); anything else must lie between the
 * minimum and the maximum, or it is refused.
 */
export function parsePollInterval(raw: unknown): number {
  const { values, problems } = readSettings(POLL_SETTINGS, { interval: raw }, ["interval"]);
  if (problems.length > 0) throw new BmsError("INVALID_INPUT", problems.join("; "));
  return values.interval;
}
