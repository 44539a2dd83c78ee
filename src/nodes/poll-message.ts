import type { PollResult } from "../pool/types";
import type { BmsPayload } from "../protocol/payload";

/** `msg.bms` of a bms-poll output (DESIGN 4.2), plus `ageMs` and the failure when a stale payload is resent. */
export interface PollMeta {
  address: string;
  name: string | null;
  polledAt: string;
  latencyMs: number;
  connection: "new" | "reused";
  connectMs: number;
  consecutiveFailures: number;
  stale: boolean;
  ageMs?: number;
  error?: { code: string; message: string };
}

/**
 * `msg.topic`: the node's topic, else `bms/<node name or address>` — never the battery's Bluetooth name, which many
 * packs share (`xiaoxiang BMS`), so two packs would publish to one topic.
 */
export function pollTopic(nodeTopic: string, nodeName: string | undefined, address: string): string {
  return nodeTopic || `bms/${nodeName || address}`;
}

export function freshMeta(result: PollResult, polledAt: Date): PollMeta {
  return {
    address: result.address,
    name: result.name,
    polledAt: polledAt.toISOString(),
    latencyMs: result.latencyMs,
    connection: result.connection,
    connectMs: result.connectMs,
    consecutiveFailures: 0,
    stale: false,
  };
}

/** The last good poll of one battery, kept for onFailure "last". */
export interface LastGood {
  payload: BmsPayload;
  meta: PollMeta;
  at: number;
}

export function staleMeta(
  last: LastGood,
  now: number,
  consecutiveFailures: number,
  error: { code: string; message: string },
): PollMeta {
  return { ...last.meta, consecutiveFailures, stale: true, ageMs: now - last.at, error };
}
