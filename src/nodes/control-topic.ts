import { BmsError } from "../errors";
import type { BmsPool } from "../pool/types";

export const DEFAULT_RELEASE_SECONDS = 300;
const MAX_RELEASE_SECONDS = 86_400;

/** The control topics any flow node accepts (DESIGN 4.7). */
export function isControlTopic(topic: unknown): topic is "release" | "reconnect" {
  return topic === "release" || topic === "reconnect";
}

/**
 * Seconds to hold a battery released: a number (or numeric string) in msg.payload, else the default. A number out
 * of range is refused rather than clamped, so an inject node's timestamp payload does not release for decades.
 */
export function releaseSeconds(payload: unknown): number {
  const value =
    typeof payload === "number"
      ? payload
      : typeof payload === "string" && payload.trim() !== ""
        ? Number(payload)
        : null;
  if (value === null) return DEFAULT_RELEASE_SECONDS;
  if (!Number.isFinite(value) || value < 0 || value > MAX_RELEASE_SECONDS) {
    throw new BmsError("INVALID_INPUT", `release needs msg.payload in seconds from 0 to ${MAX_RELEASE_SECONDS}`);
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
