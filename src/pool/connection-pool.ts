import { EventEmitter } from "node:events";
import type { BleCentral, CentralStateChange } from "../ble/ble-central";
import type { BleLink } from "../ble/ble-link";
import { BmsSession } from "../bms/bms-session";
import { BmsError, type ErrorCode, toBmsError } from "../errors";
import type { MosState } from "../protocol";
import { normalizeAddress } from "../protocol/address";
import { abortable } from "./abortable";
import { backoffDelayMs } from "./backoff";
import { FifoLock } from "./fifo-lock";
import { LinkSlots } from "./link-slots";
import {
  type AdapterState,
  type AdapterStateEvent,
  type BmsPool,
  DEFAULT_POOL_OPTIONS,
  type LinkInfo,
  type LinkState,
  type LinkStateEvent,
  type MosOptions,
  type MosResult,
  type PollResult,
  type PoolDiagnostics,
  type PoolOptions,
  type ScanResult,
} from "./types";

/** One battery's place in the pool. */
interface Entry {
  readonly address: string;
  state: LinkState;
  link: BleLink | null;
  session: BmsSession | null;
  /** The connect in flight, shared by every caller that needs the link meanwhile (single flight). */
  connecting: Promise<void> | null;
  connectAbort: AbortController | null;
  /** One command in flight per link; a poll holds it for 0x03 + 0x04 (+ 0x05). */
  readonly lease: FifoLock;
  idleSince: number;
  lastUsed: number;
  consecutiveFailures: number;
  backoffUntil: number;
  releasedUntil: number;
  lastError: BmsError | null;
  /** Ends a backoff or a release hold: the badge moves on to "closed" when the wait is over. */
  holdTimer: NodeJS.Timeout | null;
  name: string | null;
  connects: number;
  /** The software-lock state last asked of this battery (PROTOCOL 5.1: kept apart from the FET bits). */
  mosIntent: MosState | undefined;
}

interface LeaseTiming {
  connection: "new" | "reused";
  connectMs: number;
}

/** Errors that say the link is unusable: close it so the next operation reconnects cleanly. */
const LINK_BREAKING: ReadonlySet<ErrorCode> = new Set(["RESPONSE_TIMEOUT", "LINK_LOST", "NEEDS_PAIRING"]);
/** Connect failures that are about the adapter or the pool, not the battery: no per-battery backoff. */
const NOT_THE_BATTERY: ReadonlySet<ErrorCode> = new Set([
  "ADAPTER_OFF",
  "ADAPTER_UNAVAILABLE",
  "POOL_CLOSED",
  "RELEASED",
]);
/** How long close() lets leases in flight finish before it closes their links under them. */
const CLOSE_GRACE_MS = 5_000;

/**
 * The connection pool of one bms-adapter config node (DESIGN 5): per-battery cached links with an idle timeout
 * and a sweeper, single-flight connects through the adapter's connect gate, a cap with least-recently-used
 * eviction, per-battery backoff, release holds, and adapter power tracking.
 */
export class ConnectionPool extends EventEmitter implements BmsPool {
  private readonly central: BleCentral;
  private readonly options: Required<Omit<PoolOptions, "log">>;
  private readonly debug: (message: string) => void;
  private readonly trace: ((message: string) => void) | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly slots: LinkSlots;
  private readonly lifetime = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private lastAdapterState: AdapterState;
  private lastAdapterError: BmsError | undefined;
  /** Close reasons of closes we chose (idle, eviction, reconnect): not shown as errors on the badge. */
  private readonly deliberate = new WeakSet<BmsError>();

  private readonly onCentralState = (change: CentralStateChange) => {
    if (change.state === this.lastAdapterState && change.error === this.lastAdapterError) return;
    this.lastAdapterState = change.state;
    this.lastAdapterError = change.error;
    this.debug(`adapter ${change.state}${change.error ? `: ${change.error.message}` : ""}`);
    this.emit("adapter", { state: change.state, error: change.error } satisfies AdapterStateEvent);
  };

  /** Runs last in close(): lets go of what the pool's creator acquired for it (its hold on a shared adapter). */
  private readonly afterClose: (() => Promise<void>) | undefined;

  constructor(central: BleCentral, options: PoolOptions, afterClose?: () => Promise<void>) {
    super();
    this.central = central;
    this.afterClose = afterClose;
    this.options = { ...DEFAULT_POOL_OPTIONS, scanTimeoutMs: options.connectTimeoutMs, ...stripLog(options) };
    this.debug = (message) => options.log?.debug(message);
    this.trace = options.log?.trace?.bind(options.log);
    this.slots = new LinkSlots(Math.max(1, this.options.maxLinks));
    this.lastAdapterState = central.state;
    this.lastAdapterError = central.unavailableError;
    central.on("state", this.onCentralState);
  }

  async poll(address: string): Promise<PollResult> {
    const started = Date.now();
    return this.withLease(address, async (entry, session, timing) => {
      const payload = await session.poll();
      return {
        address: entry.address,
        name: entry.name,
        payload,
        latencyMs: Date.now() - started,
        ...timing,
      };
    });
  }

  async setMos(address: string, desired: Partial<MosState>, options: MosOptions = {}): Promise<MosResult> {
    const started = Date.now();
    const signal = options.signal;
    if (typeof desired !== "object" || desired === null) {
      throw new BmsError("INVALID_INPUT", "the MOSFET request must be an object { charge?, discharge? }");
    }
    for (const port of ["charge", "discharge"] as const) {
      if (desired[port] !== undefined && typeof desired[port] !== "boolean") {
        throw new BmsError("INVALID_INPUT", `${port} must be true or false`);
      }
    }
    return this.withLease(
      address,
      async (entry, session, timing) => {
        const change = await session.setMos(desired, entry.mosIntent, signal);
        entry.mosIntent = change.requested;
        return {
          address: entry.address,
          name: entry.name,
          state: change.state,
          previous: change.previous,
          written: change.written,
          verified: true as const,
          latencyMs: Date.now() - started,
          ...timing,
        };
      },
      signal,
    );
  }

  async release(address: string, holdMs: number): Promise<void> {
    this.assertOpen();
    const entry = this.entryFor(normalizeAddress(address));
    const released = new BmsError("RELEASED", `${entry.address} is released for the phone app`);
    entry.releasedUntil = Date.now() + Math.max(0, holdMs);
    entry.connectAbort?.abort(released);
    entry.lease.refuseWaiting(released);
    this.slots.refuse(released, entry.address);
    this.setState(entry, "released", { untilMs: Math.max(0, holdMs) });
    this.scheduleHoldEnd(entry, holdMs);
    await this.closeLink(entry, released);
  }

  async reconnect(address: string): Promise<void> {
    this.assertOpen();
    const entry = this.entryFor(normalizeAddress(address));
    entry.releasedUntil = 0;
    entry.backoffUntil = 0;
    entry.consecutiveFailures = 0;
    this.clearHoldTimer(entry);
    await this.closeLink(entry, this.deliberateClose(`${entry.address}: reconnect requested`));
    if (!entry.link && !entry.connecting) this.setState(entry, "closed");
  }

  async scan(durationMs: number): Promise<ScanResult[]> {
    this.assertOpen();
    const found = await this.central.scan(durationMs, this.lifetime.signal);
    const results: ScanResult[] = found.map((device) => ({
      ...device,
      linked: this.entries.get(device.address)?.link?.isOpen === true,
    }));
    // Linked batteries stop advertising; list them from the pool.
    for (const entry of this.entries.values()) {
      if (entry.link?.isOpen && !results.some((r) => r.address === entry.address)) {
        results.push({ address: entry.address, name: entry.name, rssi: null, jbd: true, linked: true });
      }
    }
    return results;
  }

  linkState(address: string): LinkState {
    return this.entries.get(normalizeAddress(address))?.state ?? "closed";
  }

  linkInfo(address: string): LinkInfo {
    const entry = this.entries.get(normalizeAddress(address));
    return {
      state: entry?.state ?? "closed",
      consecutiveFailures: entry?.consecutiveFailures ?? 0,
      connects: entry?.connects ?? 0,
      lastError: entry?.lastError ?? null,
      name: entry?.name ?? null,
    };
  }

  adapterState(): AdapterState {
    return this.central.state;
  }

  diagnostics(): PoolDiagnostics {
    let openLinks = 0;
    let leasesHeld = 0;
    let connectsInFlight = 0;
    for (const entry of this.entries.values()) {
      if (entry.link?.isOpen) openLinks++;
      if (entry.lease.isHeld) leasesHeld++;
      if (entry.connecting) connectsInFlight++;
    }
    return {
      openLinks,
      leasesHeld,
      connectsInFlight,
      slotWaiters: this.slots.waiting,
      timers: this.timers.size + (this.sweeper ? 1 : 0),
      poolListeners: this.eventNames().reduce((sum, name) => sum + this.listenerCount(name), 0),
      centralListeners: this.central.listenerCounts(),
      centralOpenLinks: this.central.openLinks,
      closed: this.closing !== null,
    };
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  // ---- leases -----------------------------------------------------------------------------------------------

  /**
   * Runs one operation on a leased link: shares or starts the connect, waits its turn on the link, and after the
   * operation either keeps the link idle, closes it (idle timeout 0, a slot someone waits for, a broken link),
   * or hands it to the next caller. An aborted `signal` ends the wait for the connect (which carries on for the
   * battery's next use) or for the lease with the signal's reason.
   */
  private async withLease<T>(
    rawAddress: string,
    operation: (entry: Entry, session: BmsSession, timing: LeaseTiming) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted();
    this.assertOpen();
    const entry = this.entryFor(normalizeAddress(rawAddress));
    const timing: LeaseTiming = { connection: "reused", connectMs: 0 };
    // A link that dies between our connect and our turn is reconnected once, then the error stands.
    for (let attempt = 1; ; attempt++) {
      // The pool may have started closing while this caller waited for its turn on the lease.
      this.assertOpen();
      this.assertAvailable(entry);
      if (!entry.link?.isOpen) {
        const started = Date.now();
        await abortable(this.ensureLink(entry), signal);
        timing.connection = "new";
        timing.connectMs += Date.now() - started;
      }
      await entry.lease.acquire(signal);
      if (entry.link?.isOpen && entry.session) break;
      this.releaseLease(entry);
      if (attempt >= 2) {
        throw entry.lastError ?? new BmsError("LINK_LOST", `the link to ${entry.address} closed before it was used`);
      }
    }
    const session = entry.session as BmsSession;
    entry.lastUsed = Date.now();
    this.setState(entry, "busy");
    try {
      return await operation(entry, session, timing);
    } catch (error) {
      if (error instanceof BmsError && LINK_BREAKING.has(error.code) && entry.link?.isOpen) {
        entry.lastError = error;
        this.debug(`${entry.address}: closing the link after ${error.code}`);
        await entry.link.close(error);
      }
      throw error;
    } finally {
      entry.lastUsed = Date.now();
      this.releaseLease(entry);
    }
  }

  private releaseLease(entry: Entry): void {
    if (!entry.lease.release()) return;
    const link = entry.link;
    if (!link?.isOpen) return;
    if (this.closing) return;
    const closeNow =
      this.slots.waiting > 0 ? "a waiting battery needs the slot" : this.closesAfterUse() ? "idle timeout 0" : null;
    if (closeNow) {
      this.debug(`${entry.address}: closing the link (${closeNow})`);
      void this.closeLink(entry, this.deliberateClose(`${entry.address}: closed (${closeNow})`));
      return;
    }
    entry.idleSince = Date.now();
    this.setState(entry, "idle");
  }

  private closesAfterUse(): boolean {
    return !this.options.keepOpen && this.options.idleTimeoutMs <= 0;
  }

  // ---- connecting -------------------------------------------------------------------------------------------

  /** Single flight: one connect per battery at a time, shared by every caller that needs it meanwhile. */
  private ensureLink(entry: Entry): Promise<void> {
    if (!entry.connecting) {
      entry.connecting = this.connect(entry).finally(() => {
        entry.connecting = null;
        entry.connectAbort = null;
      });
    }
    return entry.connecting;
  }

  private async connect(entry: Entry): Promise<void> {
    const abort = new AbortController();
    entry.connectAbort = abort;
    const onPoolClose = () => abort.abort(this.lifetime.signal.reason);
    this.lifetime.signal.addEventListener("abort", onPoolClose, { once: true });
    try {
      await this.takeSlot(entry);
      this.setState(entry, "searching");
      const link = await this.central.connect(entry.address, {
        scanTimeoutMs: this.options.scanTimeoutMs,
        timeoutMs: this.options.connectTimeoutMs,
        signal: abort.signal,
        onPhase: (phase) => this.setState(entry, phase),
      });
      if (abort.signal.aborted) {
        await link.close(abort.signal.reason as BmsError);
        throw abort.signal.reason;
      }
      this.adopt(entry, link);
    } catch (error) {
      this.slots.give(entry.address);
      const failure = toBmsError(error, "CONNECT_FAILED");
      this.connectFailed(entry, failure);
      throw this.explain(entry, failure);
    } finally {
      this.lifetime.signal.removeEventListener("abort", onPoolClose);
    }
  }

  /** A link slot, evicting the least recently used idle link if the cap is reached, else waiting in line. */
  private async takeSlot(entry: Entry): Promise<void> {
    if (this.slots.tryTake(entry.address)) return;
    const victim = this.leastRecentlyUsedIdle();
    const waiting = this.slots.wait(entry.address);
    if (victim) {
      this.debug(`${victim.address}: evicted (least recently used) to make room for ${entry.address}`);
      void this.closeLink(victim, this.deliberateClose(`${victim.address}: evicted to make room`));
    } else {
      this.debug(`${entry.address}: waiting for a free link slot (cap ${this.options.maxLinks})`);
    }
    await waiting;
  }

  private leastRecentlyUsedIdle(): Entry | undefined {
    let oldest: Entry | undefined;
    for (const candidate of this.entries.values()) {
      if (!candidate.link?.isOpen || candidate.lease.isHeld || candidate.lease.waiting > 0) continue;
      if (!oldest || candidate.lastUsed < oldest.lastUsed) oldest = candidate;
    }
    return oldest;
  }

  private adopt(entry: Entry, link: BleLink): void {
    entry.link = link;
    entry.name = link.name ?? entry.name;
    entry.session = new BmsSession(link, { commandTimeoutMs: this.options.commandTimeoutMs, trace: this.trace });
    entry.connects++;
    entry.consecutiveFailures = 0;
    entry.backoffUntil = 0;
    entry.lastError = null;
    entry.idleSince = Date.now();
    this.clearHoldTimer(entry);
    link.onClose((reason) => this.onLinkClosed(entry, link, reason));
    this.debug(`${entry.address}: connected (connect #${entry.connects})`);
    this.setState(entry, "idle");
    this.startSweeper();
  }

  private connectFailed(entry: Entry, error: BmsError): void {
    entry.lastError = error;
    this.debug(`${entry.address}: connect failed: ${error.code} ${error.message}`);
    if (NOT_THE_BATTERY.has(error.code)) {
      this.setState(entry, this.restingState(entry), { error });
      return;
    }
    entry.consecutiveFailures++;
    const delay = backoffDelayMs(entry.consecutiveFailures, this.options.backoffInitialMs, this.options.backoffMaxMs);
    entry.backoffUntil = Date.now() + delay;
    this.scheduleHoldEnd(entry, delay);
    this.setState(entry, "backoff", { untilMs: delay, error });
  }

  /** Adds "retry in N s" where it helps the user. */
  private explain(entry: Entry, error: BmsError): BmsError {
    if (entry.backoffUntil <= Date.now()) return error;
    return new BmsError(error.code, `${error.message}; retry in ${secondsUntil(entry.backoffUntil)} s`, {
      cause: error,
      details: error.details,
    });
  }

  /** Fails fast while the battery is released or backing off. */
  private assertAvailable(entry: Entry): void {
    const now = Date.now();
    if (entry.releasedUntil > now) {
      throw new BmsError(
        "RELEASED",
        `${entry.address} is released for the phone app for ${secondsUntil(entry.releasedUntil)} s more`,
      );
    }
    if (entry.backoffUntil > now && !entry.link?.isOpen && !entry.connecting) {
      const last = entry.lastError;
      throw new BmsError(
        last?.code ?? "CONNECT_FAILED",
        `${last?.message ?? `${entry.address} failed to connect`}; retry in ${secondsUntil(entry.backoffUntil)} s`,
        { cause: last ?? undefined },
      );
    }
  }

  // ---- closing ----------------------------------------------------------------------------------------------

  /** Closes a battery's link once its lease is free ("a close during use waits for the lease"). */
  private async closeLink(entry: Entry, reason: BmsError): Promise<void> {
    if (!entry.link?.isOpen) return;
    if (entry.lease.isHeld) await entry.lease.whenFree();
    const link = entry.link;
    if (!link?.isOpen) return;
    this.setState(entry, "closing");
    await link.close(reason);
  }

  private onLinkClosed(entry: Entry, link: BleLink, reason: BmsError): void {
    if (entry.link !== link) return;
    entry.link = null;
    entry.session?.dispose(reason);
    entry.session = null;
    this.slots.give(entry.address);
    this.debug(`${entry.address}: link closed (${reason.code})`);
    const unexpected = reason.code !== "RELEASED" && !this.deliberate.has(reason);
    this.setState(entry, this.restingState(entry), unexpected ? { error: reason } : {});
    this.stopSweeperIfUnused();
  }

  /** Where a battery without a link rests: released, backing off, or plainly closed. */
  private restingState(entry: Entry): LinkState {
    const now = Date.now();
    if (entry.releasedUntil > now) return "released";
    if (entry.backoffUntil > now) return "backoff";
    return "closed";
  }

  private async shutdown(): Promise<void> {
    const closed = new BmsError("POOL_CLOSED", "the connection pool is closed (redeploy or shutdown)");
    this.lifetime.abort(closed);
    this.slots.refuse(closed);
    for (const entry of this.entries.values()) entry.lease.refuseWaiting(closed);
    // Let leases in flight finish (a poll is a few hundred ms), but never past the grace period.
    const inFlight = [...this.entries.values()].map((entry) => entry.lease.whenFree());
    await new Promise<void>((resolve) => {
      const grace = setTimeout(resolve, CLOSE_GRACE_MS);
      void Promise.all(inFlight).then(() => {
        clearTimeout(grace);
        resolve();
      });
    });
    const connects = [...this.entries.values()].map((entry) => entry.connecting?.catch(() => {}));
    await Promise.all([
      ...connects,
      ...[...this.entries.values()].map(async (entry) => {
        this.clearHoldTimer(entry);
        const link = entry.link;
        if (link?.isOpen) {
          this.setState(entry, "closing");
          await link.close(closed);
        }
      }),
    ]);
    this.stopSweeper();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.central.off("state", this.onCentralState);
    await this.afterClose?.();
    this.debug("pool closed");
    this.removeAllListeners();
  }

  // ---- sweeper and timers -----------------------------------------------------------------------------------

  private startSweeper(): void {
    if (this.sweeper || this.closing) return;
    this.sweeper = setInterval(() => this.sweep(), this.options.sweepIntervalMs);
  }

  private stopSweeperIfUnused(): void {
    for (const entry of this.entries.values()) if (entry.link) return;
    this.stopSweeper();
  }

  private stopSweeper(): void {
    if (!this.sweeper) return;
    clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** Closes idle links past the idle timeout, and forgets links that died without telling us. */
  private sweep(): void {
    const now = Date.now();
    for (const entry of this.entries.values()) {
      const link = entry.link;
      if (!link) continue;
      if (!link.isOpen) {
        this.onLinkClosed(entry, link, new BmsError("LINK_LOST", `the link to ${entry.address} is gone`));
        continue;
      }
      const idle = !entry.lease.isHeld && entry.lease.waiting === 0;
      if (idle && !this.options.keepOpen && now - entry.idleSince >= this.options.idleTimeoutMs) {
        this.debug(`${entry.address}: idle for ${now - entry.idleSince} ms; closing the link`);
        void this.closeLink(entry, this.deliberateClose(`${entry.address}: closed (idle timeout)`));
      }
    }
    this.stopSweeperIfUnused();
  }

  private scheduleHoldEnd(entry: Entry, delayMs: number): void {
    this.clearHoldTimer(entry);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      entry.holdTimer = null;
      if (!entry.link && !entry.connecting) this.setState(entry, this.restingState(entry));
    }, delayMs);
    entry.holdTimer = timer;
    this.timers.add(timer);
  }

  private clearHoldTimer(entry: Entry): void {
    if (!entry.holdTimer) return;
    clearTimeout(entry.holdTimer);
    this.timers.delete(entry.holdTimer);
    entry.holdTimer = null;
  }

  // ---- bookkeeping ------------------------------------------------------------------------------------------

  private entryFor(address: string): Entry {
    let entry = this.entries.get(address);
    if (!entry) {
      entry = {
        address,
        state: "closed",
        link: null,
        session: null,
        connecting: null,
        connectAbort: null,
        lease: new FifoLock(),
        idleSince: 0,
        lastUsed: 0,
        consecutiveFailures: 0,
        backoffUntil: 0,
        releasedUntil: 0,
        lastError: null,
        holdTimer: null,
        name: null,
        connects: 0,
        mosIntent: undefined,
      };
      this.entries.set(address, entry);
    }
    return entry;
  }

  /** Emits "state" on transitions only (a new untilMs counts as a transition: the badge shows it). */
  private setState(entry: Entry, state: LinkState, extra: { untilMs?: number; error?: BmsError } = {}): void {
    if (entry.state === state && extra.untilMs === undefined) return;
    entry.state = state;
    const event: LinkStateEvent = { address: entry.address, state, ...extra };
    this.emit("state", event);
  }

  private deliberateClose(message: string): BmsError {
    const reason = new BmsError("LINK_LOST", message);
    this.deliberate.add(reason);
    return reason;
  }

  private assertOpen(): void {
    if (this.closing) throw new BmsError("POOL_CLOSED", "the connection pool is closed (redeploy or shutdown)");
  }
}

function stripLog(options: PoolOptions): Omit<PoolOptions, "log"> {
  const { log: _log, ...rest } = options;
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)) as Omit<
    PoolOptions,
    "log"
  >;
}

function secondsUntil(time: number): number {
  return Math.max(1, Math.ceil((time - Date.now()) / 1000));
}
