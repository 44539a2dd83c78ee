import type { NodeStatus } from "node-red";
import type { BankPayload } from "../bank/bank-payload";
import type { Translate } from "./status-badge";

const NS = "@bmskit/node-red-jbd-bms/bms-bank:bms-bank.status.";

/**
 * The bank's badge after each input: `3/3 packs 52 % 13.2 V` as a green dot when every pack counts, the same in
 * yellow when some are left out, and a yellow ring `0/3 packs` while none is fresh (nothing is sent then).
 */
export function bankBadge(payload: BankPayload | null, packsExpected: number, t: Translate): NodeStatus {
  if (payload === null) {
    return { fill: "yellow", shape: "ring", text: t(`${NS}nonePresent`, { expected: packsExpected }) };
  }
  return {
    fill: payload.packsFresh === payload.packsExpected ? "green" : "yellow",
    shape: "dot",
    text: t(`${NS}packs`, {
      fresh: payload.packsFresh,
      expected: payload.packsExpected,
      soc: Math.round(payload.stateOfCharge),
      voltage: payload.voltage.toFixed(1),
    }),
  };
}
