import type { MosState } from "../protocol/payload";

/** Why a pack of the bank is left out of its sums. */
export type MissingReason = "stale" | "too old" | "never seen";

/** One pack as the bank last saw it: its last good values, how old they are and whether they count. */
export interface BankPackSummary {
  address: string;
  /** `msg.bms.name` of its last good payload (the battery's Bluetooth name), null when the BMS gave none. */
  name: string | null;
  voltage: number;
  current: number;
  stateOfCharge: number;
  mos: MosState;
  /** Seconds since the bank received that payload. */
  ageS: number;
  /** Counted in the bank's sums. */
  fresh: boolean;
}

/**
 * `msg.payload` of bms-bank: the fresh packs of a bank as one battery, in the poll payload's units and rounding.
 * Every field describes the fresh packs only; `missing` names the others. Field names are a public contract.
 */
export interface BankPayload {
  /** Mean of the fresh packs (packs in parallel share one voltage; the mean evens out their meters). */
  voltage: number;
  current: number;
  power: number;
  residualCapacity: number;
  nominalCapacity: number;
  energyStored: number;
  /** Residual sum / nominal sum: capacity-weighted, not a mean of the packs' percentages. */
  stateOfCharge: number;
  /** Seconds to empty or to full at the present current, from the sums; null while the bank rests. */
  timeRemainingS: number | null;
  /** Present when at least one fresh pack reported cell voltages. */
  cellMin?: number;
  cellMinPack?: string;
  cellMax?: number;
  cellMaxPack?: string;
  /** The largest cell delta within one pack. */
  cellDelta?: number;
  /** Highest cell of the bank minus its lowest cell. */
  cellSpread?: number;
  /** Present when at least one fresh pack has a temperature sensor with a reading. */
  temperatureMin?: number;
  temperatureMax?: number;
  /** Ah the fresh packs whose discharge MOSFET is on can deliver. */
  dischargeAvailable: number;
  /** Ah of room to charge (nominal - residual) in the fresh packs whose charge MOSFET is on. */
  chargeAvailable: number;
  protectionActive: { address: string; flag: string }[];
  packsFresh: number;
  packsExpected: number;
  missing: { address: string; reason: MissingReason }[];
  /** Every pack the bank has had a good payload from, in the configured order. */
  packs: BankPackSummary[];
}
