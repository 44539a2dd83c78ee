/**
 * Below this current, as a fraction of the nominal capacity per hour (C/100), a pack is treated as resting: a
 * time to empty or to full would be days long and swing wildly with noise around zero.
 */
const RESTING_C_RATE = 0.01;
const SECONDS_PER_HOUR = 3600;

/**
 * Seconds until the pack is empty (discharging) or full (charging) at the present current, from the residual and
 * nominal capacity in Ah and the current in A (positive while charging). Null when the pack is resting (|current|
 * within 1 % of the nominal capacity per hour) or when the inputs cannot give a time (no nominal capacity, a value
 * that is not a finite number). Used by the bms-poll payload and by bms-bank for a whole bank.
 */
export function timeRemainingSeconds(current: number, residualAh: number, nominalAh: number): number | null {
  if (!Number.isFinite(current) || !Number.isFinite(residualAh) || !Number.isFinite(nominalAh)) return null;
  if (nominalAh <= 0 || Math.abs(current) <= nominalAh * RESTING_C_RATE) return null;
  const ampHours = current > 0 ? Math.max(0, nominalAh - residualAh) : Math.max(0, residualAh);
  return Math.round((ampHours / Math.abs(current)) * SECONDS_PER_HOUR);
}
