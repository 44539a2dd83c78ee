import { describeInput } from "../describe-input";
import { BmsError } from "../errors";
import type { BmsPool } from "../pool/types";

export const DEFAULT_RELEASE_SECONDS = 300;
const MAX_RELEASE_SECONDS = 86_400;

/** The control topics any flow node accepts (DESIGN 4.7). */
export function isControlTopic(topic: unknown): topic is "release" | "reconnect" {
  return topic === "release" || topic === "reconnect";
}

/** Seconds as people write them in a text payload: digits with an optional decimal fraction, nothing else. */
const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/**
 * Seconds to hold a battery released, from msg.payload: a number, or a string of plain decimal digits ("300",
 * "12.5"). Only a missing payload (absent, null or blank) means the default. Anything else is refused rather than
 * guessed at: `false` or an object is not a duration, and "0x10" or "1e3" are more likely an id or a timestamp than
 * seconds someone meant. A number out of range is refused rather than clamped, so an inject node's timestamp
 * payload does not release for decades.
 */
export function releaseSeconds(payload: unknown): number {
  if (payload === undefined || payload === null || (typeof payload === "string" && payload.trim() === "")) {
    return DEFAULT_RELEASE_SECONDS;
  }
  const value =
    typeof payload === "number"
      ? payload
      : typeof payload === "string" && PLAIN_DECIMAL.test(payload.trim())
        ? Number(payload.trim())
        : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || value > MAX_RELEASE_SECONDS) {
    throw new BmsError(
      "INVALID_INPUT",
      `release needs msg.payload in seconds from 0 to ${MAX_RELEASE_SECONDS} (a number or decimal digits, or no ` +
        `payload for ${DEFAULT_RELEASE_SECONDS}), not ${describeInput(payload)}`,
    );
  }
  return value;
}

export async function runControlTopic(
  pool: BmsPool,
  address: string,
  topic: "release" | "reconnect",
  payload: unknown,
): Promise<void> {
  if (topic === "release") await pool.release(address, releaseSeconds(payload) * 1000);
  else await pool.reconnect(address);
}
