import type { ScanResult } from "../pool/types";

/** One line of the address picker's list (`GET bms-adapter/scan`). */
export interface PickerEntry extends ScanResult {
  /** A node on this adapter names this battery (the editor sends those addresses in the query's `configured`). */
  configured: boolean;
}

/**
 * The picker's list from one scan and the addresses configured on the adapter (upper case with colons): every
 * result, marked configured or not, and each configured battery the scan did not list, with no evidence: it did not
 * advertise (another central holds it, it is out of range or asleep, or the phone app has it). Heard batteries come
 * first, the strongest signal first, then the linked ones, then the silent configured ones; ties by address.
 */
export function pickerList(found: readonly ScanResult[], configured: readonly string[]): PickerEntry[] {
  const wanted = new Set(configured);
  const entries: PickerEntry[] = found.map((result) => ({ ...result, configured: wanted.has(result.address) }));
  for (const address of wanted) {
    if (entries.some((entry) => entry.address === address)) continue;
    entries.push({ address, name: null, rssi: null, recognised: [], linked: false, configured: true });
  }
  const rank = (entry: PickerEntry) => (entry.rssi !== null ? 0 : entry.linked ? 1 : 2);
  return entries.sort(
    (a, b) => rank(a) - rank(b) || (b.rssi ?? 0) - (a.rssi ?? 0) || a.address.localeCompare(b.address),
  );
}
