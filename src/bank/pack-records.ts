import type { PackReading } from "./pack-reading";

/** What the bank knows of one of its packs. */
export interface PackRecord {
  readonly address: string;
  /** `msg.bms.name` of the last good payload. */
  name: string | null;
  /** The last good payload, null until one has arrived. */
  reading: PackReading | null;
  /** When the bank received that payload (ms since the epoch). */
  receivedAt: number;
  /** The newest message from this pack was a stale resend (its poll failed). */
  stale: boolean;
}

/** The bank's packs in their configured order, each with the newest that has been heard from it. */
export class PackRecords {
  private readonly byAddress = new Map<string, PackRecord>();

  constructor(addresses: readonly string[]) {
    for (const address of addresses) {
      this.byAddress.set(address, { address, name: null, reading: null, receivedAt: 0, stale: false });
    }
  }

  has(address: string): boolean {
    return this.byAddress.has(address);
  }

  /** A good payload: the pack's values from now on, and no longer stale. */
  recordReading(address: string, name: string | null, reading: PackReading, now: number): void {
    const record = this.byAddress.get(address);
    if (!record) return;
    record.name = name;
    record.reading = reading;
    record.receivedAt = now;
    record.stale = false;
  }

  /** A stale resend: the pack's last good values stay, but it is left out until a good payload comes. */
  markStale(address: string): void {
    const record = this.byAddress.get(address);
    if (record) record.stale = true;
  }

  all(): readonly PackRecord[] {
    return [...this.byAddress.values()];
  }
}
