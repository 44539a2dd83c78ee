import type { AdapterState } from "../bindings/noble-bindings";
import type { BmsError } from "../errors";
import type { JbdEvidence } from "./jbd-recognition";

/** The shapes around BleCentral (ble-central.ts): its options, what it reports, and its inspection for leak checks. */

export interface CentralOptions {
  /** How long a disconnect may take before we consider the link gone anyway. */
  disconnectTimeoutMs?: number;
  /** debug: link events. */
  log?: (message: string) => void;
}

export interface ConnectOptions {
  /** Budget for finding the battery by scanning (NOT_FOUND after it). */
  scanTimeoutMs: number;
  /** Budget for connect + discovery + subscribe (CONNECT_TIMEOUT after it). */
  timeoutMs: number;
  /** Aborts a queued or running connect (the pool closing); rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as the attempt moves on: "searching" when our turn at the gate starts, "connecting" once found. */
  onPhase?: (phase: "searching" | "connecting") => void;
}

export interface ScannedDevice {
  address: string;
  name: string | null;
  rssi: number | null;
  /** Why it is taken for a JBD battery (jbd-recognition.ts), strongest first; never empty. */
  recognised: JbdEvidence[];
}

/** Events: "state" (the adapter state, unavailable error or undefined) on every adapter state change. */
export interface CentralStateChange {
  state: AdapterState;
  error?: BmsError;
}

/** Listeners on the central and the noble objects under it, for leak checks. */
export interface CentralListenerCounts {
  noble: number;
  bindings: number;
  central: number;
  /** On noble's peripheral objects (kept for the life of the process), the orphan guards not counted. */
  peripherals: number;
  /** Guards against a cancelled connect that completes late: at most one per peripheral. */
  orphanGuards: number;
}

/** What leak checks, the benchmarks and tests read from a central; production code uses none of it. */
export interface CentralInspection {
  listenerCounts(): CentralListenerCounts;
  /** Open links on this adapter, across every pool. */
  readonly openLinks: number;
}
