import { BmsError } from "../errors";

/**
 * Shortest bms-poll interval. The vendor's own phone app polls about once a second (PROTOCOL 7), which is what the
 * BLE module is built to serve; a poll holds the link for two request/reply rounds (about 0.14 s on a kept link),
 * so a shorter interval mostly queues behind the poll in flight, never lets the link go idle, and takes air time
 * from the battery's MOSFET commands and the adapter's other batteries. Faster readings stay possible on demand:
 * every input message polls (coalesced with the poll in flight).
 */
export const MIN_POLL_INTERVAL_SECONDS = 1;

/**
 * Longest bms-poll interval. Node's timers hold at most 2^31-1 ms (about 24.8 days) and run a longer delay after
 * 1 ms instead, which would hammer the battery; a day is far below that and longer gaps belong to a cron inject.
 */
export const MAX_POLL_INTERVAL_SECONDS = 86_400;

/**
 * The limits as node settings exported to the editor (`RED.settings.bmsPollIntervalMin` / `…Max` there), so the
 * dialog checks the interval against the very numbers the runtime uses.
 */
export const POLL_INTERVAL_SETTINGS = {
  bmsPollIntervalMin: { value: MIN_POLL_INTERVAL_SECONDS, exportable: true },
  bmsPollIntervalMax: { value: MAX_POLL_INTERVAL_SECONDS, exportable: true },
};

/**
 * The bms-poll `interval` property in seconds: blank is 0 (poll only on input); anything else must lie between the
 * minimum and the maximum, or it is refused.
 */
export function parsePollInterval(raw: unknown): number {
  if (raw === undefined || raw === null || raw === "") return 0;
  const seconds = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw.trim()) : Number.NaN;
  if (
    !Number.isFinite(seconds) ||
    (seconds !== 0 && (seconds < MIN_POLL_INTERVAL_SECONDS || seconds > MAX_POLL_INTERVAL_SECONDS))
  ) {
    throw new BmsError(
      "INVALID_INPUT",
      `interval must be 0 (only on input) or ${MIN_POLL_INTERVAL_SECONDS} to ${MAX_POLL_INTERVAL_SECONDS} seconds`,
    );
  }
  return seconds;
}
