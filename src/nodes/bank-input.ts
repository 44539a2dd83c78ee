import type { NodeMessage } from "node-red";
import { BmsError } from "../errors";
import { normalizeAddress } from "../protocol/address";

/** Who a message into bms-bank comes from, read from the `msg.bms` that bms-poll sets. */
export interface PackMessage {
  address: string;
  name: string | null;
  /** A stale resend (bms-poll with onFailure "last" after a failed poll). */
  stale: boolean;
}

/** Reads `msg.bms` of a bms-poll output, or throws INVALID_INPUT saying what is missing. */
export function readPackMessage(msg: NodeMessage & { bms?: unknown }): PackMessage {
  const bms = msg.bms as Record<string, unknown> | undefined;
  if (typeof bms !== "object" || bms === null || bms.address === undefined) {
    throw new BmsError("INVALID_INPUT", "bms-bank takes bms-poll output: msg.bms.address is missing");
  }
  if (bms.stale !== undefined && typeof bms.stale !== "boolean") {
    throw new BmsError("INVALID_INPUT", "msg.bms.stale must be true or false");
  }
  return {
    address: normalizeAddress(bms.address),
    name: typeof bms.name === "string" ? bms.name : null,
    stale: bms.stale === true,
  };
}
