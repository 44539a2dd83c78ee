import { BmsError } from "../errors";

/**
 * Longest bms-poll interval. Node's timers hold at most 2^31-1 ms (about 24.8 days) and run a longer delay after
 * 1 ms instead, which would hammer the battery; a day is far below that and longer gaps belong to a cron inject.
 */
export const MAX_POLL_INTERVAL_SECONDS = 86_400;

/** The bms-poll `interval` property in seconds: blank is 0 (poll only on input); anything out of range is refused. */
export function parsePollInterval(raw: unknown): number {
  if (raw === undefined || raw === null || raw === "") return 0;
  const seconds = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw.trim()) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_POLL_INTERVAL_SECONDS) {
    throw new BmsError("INVALID_INPUT", `interval must be 0 (only on input) to ${MAX_POLL_INTERVAL_SECONDS} seconds`);
  }
  return seconds;
}
