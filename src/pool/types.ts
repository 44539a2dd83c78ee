import type { AdapterState } from "../bindings/noble-bindings";
import type { ScannedDevice } from "../ble/central-types";
import type { BmsError } from "../errors";
import type { BmsPayload, MosState } from "../protocol/payload";

/**
 * Public contract of the connection pool, used by src/nodes (DESIGN 5). One pool per bms-adapter config node.
 * Times are in milliseconds here; the nodes convert from the seconds users type. Every option may be left out:
 * DEFAULT_POOL_OPTIONS fills it in.
 */
export interface PoolOptions {
  /** After the last lease ends the link stays this long (0 = close after every operation). */
  idleTimeoutMs?: number;
  /** Never close idle links while the pool is open (idle timeout ignored). */
  keepOpen?: boolean;
  sweepIntervalMs?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Cap on open links; the least recently used idle link is closed first, beyond that work waits in line. */
  maxLinks?: number;
  /** How long a scan-to-find may look for an address before NOT_FOUND. Defaults to connectTimeoutMs. */
  scanTimeoutMs?: number;
  /** Per-battery backoff after consecutive connect failures: first delay, doubling up to the maximum. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /**
   * The FF AA password of a battery's Bluetooth module (PROTOCOL 5.2 b), by its upper-case, colon-separated address,
   * or undefined when none is configured. Asked at each link setup; the password stays in this process, and only
   * the encrypted handshake frames go over the link.
   */
  modulePassword?: (address: string) => string | undefined;
  /** Optional sink for troubleshooting logs (debug: link events; trace: every frame in hex). */
  log?: PoolLogger;
}

/** Every option of a pool, filled in. */
export type PoolSettings = Required<Omit<PoolOptions, "log">>;

export interface PoolLogger {
  debug(message: string): void;
  /**
   * Every frame in and out, in hex. Leave it out unless trace logging is on: the hex text for every frame of every
   * poll is otherwise built for nothing.
   */
  trace?(message: string): void;
}

export const DEFAULT_POOL_OPTIONS: Readonly<PoolSettings> = {
  idleTimeoutMs: 60_000,
  keepOpen: false,
  sweepIntervalMs: 10_000,
  connectTimeoutMs: 15_000,
  commandTimeoutMs: 3_000,
  maxLinks: 5,
  scanTimeoutMs: 15_000,
  backoffInitialMs: 2_000,
  backoffMaxMs: 60_000,
  modulePassword: () => undefined,
};

/** The options filled in from the defaults; a scan-to-find gets the connect timeout unless told otherwise. */
export function poolSettings(options: PoolOptions): PoolSettings {
  const { log: _log, ...given } = options;
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  return {
    ...DEFAULT_POOL_OPTIONS,
    scanTimeoutMs: given.connectTimeoutMs ?? DEFAULT_POOL_OPTIONS.scanTimeoutMs,
    ...defined,
  };
}

/** Per-address link state (DESIGN 5), mapped to status badges by the nodes (DESIGN 4.4). */
export type LinkState = "closed" | "searching" | "connecting" | "busy" | "idle" | "closing" | "backoff" | "released";

export interface LinkStateEvent {
  /** Upper-case, colon-separated address. */
  address: string;
  state: LinkState;
  /** backoff: ms until the next attempt may start; released: ms until the hold ends. */
  untilMs?: number;
  /** The error that caused a close or backoff, if any. */
  error?: BmsError;
}

export type { AdapterState } from "../bindings/noble-bindings";

export interface AdapterStateEvent {
  state: AdapterState;
  /** Set when the adapter cannot be used at all (ADAPTER_UNAVAILABLE), with the fix in the message. */
  error?: BmsError;
}

export interface PollTiming {
  /** Whole poll as seen by the caller, including any wait and connect. */
  latencyMs: number;
  connection: "new" | "reused";
  /** Time spent finding and connecting (0 when reused). */
  connectMs: number;
}

export interface PollResult extends PollTiming {
  address: string;
  /** Advertised name, if seen. */
  name: string | null;
  payload: BmsPayload;
}

export interface MosResult extends PollTiming {
  address: string;
  name: string | null;
  /** State read back after the write (or the unchanged state when nothing was written). */
  state: MosState;
  previous: MosState;
  /** False when the state already matched and nothing was written. */
  written: boolean;
  verified: true;
}

export interface MosOptions {
  /** Cancels the command until its write is on the wire (a bms-mos node that closes aborts it). */
  signal?: AbortSignal;
}

/** A device the scan takes for a JBD battery: one it heard (ScannedDevice), or one this pool holds a link to. */
export interface ScanResult extends ScannedDevice {
  /** Currently held by this pool (such batteries do not advertise; their evidence is `{ by: "link" }`). */
  linked: boolean;
}

/** What the pool offers its users; events are "state" (LinkStateEvent) and "adapter" (AdapterStateEvent). */
export interface BmsPool {
  poll(address: string): Promise<PollResult>;
  /**
   * Fields left out keep their present state (DESIGN 4.6). An aborted `signal` cancels the command at any step
   * before the 0xE1 write goes to the link (it rejects with the signal's reason); once the write is on the wire it
   * is acknowledged and read back, and nothing more is written.
   */
  setMos(address: string, desired: Partial<MosState>, options?: MosOptions): Promise<MosResult>;
  /** Close the link now and refuse work with RELEASED for `holdMs` (DESIGN 4.7). */
  release(address: string, holdMs: number): Promise<void>;
  /** Drop the link (and any release hold or backoff) and connect afresh on next use. */
  reconnect(address: string): Promise<void>;
  scan(durationMs: number): Promise<ScanResult[]>;
  linkState(address: string): LinkState;
  adapterState(): AdapterState;
  on(event: "state", listener: (event: LinkStateEvent) => void): this;
  on(event: "adapter", listener: (event: AdapterStateEvent) => void): this;
  off(event: "state", listener: (event: LinkStateEvent) => void): this;
  off(event: "adapter", listener: (event: AdapterStateEvent) => void): this;
  /** Rejects queued work with POOL_CLOSED, disconnects everything, stops timers, removes listeners. */
  close(): Promise<void>;
}
