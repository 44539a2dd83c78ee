import type { CentralListenerCounts } from "../ble/central-types";
import type { BmsError } from "../errors";
import type { BmsPool, LinkState } from "./types";

/**
 * What tests, the benchmarks and leak checks read from a pool, kept off the BmsPool interface that the nodes use: no
 * production code needs any of it.
 */
export interface PoolInspection {
  linkInfo(address: string): LinkInfo;
  diagnostics(): PoolDiagnostics;
}

/** Per-battery facts. */
export interface LinkInfo {
  state: LinkState;
  /** Connect failures in a row (0 after a successful connect). */
  consecutiveFailures: number;
  /** Successful connects since the pool was created. */
  connects: number;
  lastError: BmsError | null;
  name: string | null;
}

/** What the pool holds right now. */
export interface PoolDiagnostics {
  openLinks: number;
  leasesHeld: number;
  connectsInFlight: number;
  /** Connects waiting for a link slot (the cap). */
  slotWaiters: number;
  /** Timers the pool owns (sweeper, backoff and release holds). */
  timers: number;
  /** Listeners on the pool itself (users' "state"/"adapter" listeners). */
  poolListeners: number;
  /** Listeners on the shared central, its noble instance and its bindings (shared by every pool on the adapter). */
  centralListeners: CentralListenerCounts;
  /** Open links on the whole adapter (every pool sharing it). */
  centralOpenLinks: number;
  closed: boolean;
}

/** The inspection side of a pool made by createPool (every BmsPool of this package has one). */
export function inspect(pool: BmsPool): PoolInspection {
  const candidate = pool as Partial<PoolInspection>;
  if (typeof candidate.diagnostics !== "function" || typeof candidate.linkInfo !== "function") {
    throw new TypeError("not a pool of this package: it has no diagnostics");
  }
  return candidate as PoolInspection;
}
