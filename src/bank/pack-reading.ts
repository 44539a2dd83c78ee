import { BmsError } from "../errors";
import type { BmsPayload } from "../protocol/payload";

/** The numbers every pack's payload must carry for the bank: summed, averaged or shown per pack. */
const SUMMED = [
  "voltage",
  "current",
  "power",
  "stateOfCharge",
  "residualCapacity",
  "nominalCapacity",
  "energyStored",
] as const;

/**
 * The part of one bms-poll payload that a bank adds up. It is read from `msg.payload` of whatever is wired into a
 * bms-bank node, so every field is checked rather than trusted.
 */
export type PackReading = Pick<BmsPayload, (typeof SUMMED)[number] | "mos"> & {
  /** Null when the pack reported no cell voltages (the poll payload's cell statistics are then NaN). */
  cellMin: number | null;
  cellMax: number | null;
  cellDelta: number | null;
  /** The sensors that gave a reading; an absent sensor (null in the payload) is left out. */
  temperatures: number[];
  /** Names of the pack's active protection flags, as the payload lists them. */
  protectionActive: string[];
};

const CELL_STATISTICS = ["cellMin", "cellMax", "cellDelta"] as const;

/**
 * Reads a bms-poll payload, or throws one INVALID_INPUT BmsError naming every field that is missing or wrong, so a
 * message that is not a pack's reading changes nothing in the bank.
 */
export function readPackReading(payload: unknown): PackReading {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new BmsError("INVALID_INPUT", "msg.payload must be a bms-poll payload (an object)");
  }
  const p = payload as Record<string, unknown>;
  const problems: string[] = [];
  const numbers = {} as Record<(typeof SUMMED)[number], number>;
  for (const key of SUMMED) {
    const value = p[key];
    if (typeof value === "number" && Number.isFinite(value)) numbers[key] = value;
    else problems.push(`${key} must be a number`);
  }
  if (numbers.nominalCapacity !== undefined && numbers.nominalCapacity <= 0) {
    problems.push("nominalCapacity must be above 0 Ah (the bank weights each pack by it)");
  }
  const cells = {} as Record<(typeof CELL_STATISTICS)[number], number | null>;
  for (const key of CELL_STATISTICS) {
    const value = p[key];
    // NaN in memory, null once serialised: a pack without cell voltages.
    if (value === null || (typeof value === "number" && Number.isNaN(value))) cells[key] = null;
    else if (typeof value === "number" && Number.isFinite(value)) cells[key] = value;
    else problems.push(`${key} must be a number or null`);
  }
  const temperatures = p.temperatures;
  if (!Array.isArray(temperatures) || !temperatures.every((t) => t === null || typeof t === "number")) {
    problems.push("temperatures must be a list of numbers (null for an absent sensor)");
  }
  const mos = p.mos as Record<string, unknown> | null | undefined;
  if (
    typeof mos !== "object" ||
    mos === null ||
    typeof mos.charge !== "boolean" ||
    typeof mos.discharge !== "boolean"
  ) {
    problems.push("mos must be { charge: boolean, discharge: boolean }");
  }
  const protectionActive = p.protectionActive;
  if (!Array.isArray(protectionActive) || !protectionActive.every((name) => typeof name === "string")) {
    problems.push("protectionActive must be a list of names");
  }
  if (problems.length > 0) {
    throw new BmsError("INVALID_INPUT", `msg.payload is not a bms-poll payload: ${problems.join("; ")}`, {
      details: { problems },
    });
  }
  return {
    ...numbers,
    ...cells,
    temperatures: (temperatures as (number | null)[]).filter((t): t is number => t !== null && Number.isFinite(t)),
    mos: { charge: mos!.charge as boolean, discharge: mos!.discharge as boolean },
    protectionActive: [...(protectionActive as string[])],
  };
}
