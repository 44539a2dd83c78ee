import { EventEmitter } from "node:events";
import type { BleCentral } from "../ble/ble-central";
import type { CentralStateChange } from "../ble/central-types";
import type { BmsSession } from "../bms/bms-session";
import { BmsError, errorMessage, errorRecord, isBmsError } from "../errors";
import type { MosState } from "../protocol";
import { normalizeAddress } from "../protocol/address";
import { abortable } from "./abortable";
import { backoffDelayMs } from "./backoff";
import { Battery } from "./battery";
import type { LinkInfo, PoolDiagnostics, PoolInspection } from "./diagnostics";
import { PoolLinks, quietly } from "./pool-links";
import {
  type AdapterState,
  type AdapterStateEvent,
  type BmsPool,
  type LinkState,
  type LinkStateEvent,
  type MosOptions,
  type MosResult,
  type PollResult,
  type PoolOptions,
  type PoolSettings,
  poolSettings,
  type ScanResult,
} from "./types";

interface LeaseTiming {
  connection: "new" | "reused";
  connectMs: number;
}

/** How long close() lets leases in flight finish before it closes their links under them. */
const CLOSE_GRACE_MS = 5_000;

/**
 * The connection pool of one bms-adapter config node (DESIGN 5): per-battery cached links with an idle timeout
 * and a sweeper, single-flight connects through the adapter's connect gate, a cap with least-recently-used
 * eviction, per-battery backoff, release holds, and adapter power tracking. Each battery is a Battery (battery.ts),
 * whose state follows from its facts; this class decides what to do, the Battery records what is.
 *
 * One poll passes these serialisation points, always in this order, and never waits for an earlier one while it
 * holds a later one (so they cannot deadlock):
 *   1. src/nodes: the node's per-battery queue (bms-poll's coalescer: one poll running plus one pending; bms-mos's
 *      command queue: one write per battery);
 *   2. a link slot (the cap on open links, a FifoLock of capacity maxLinks), taken by the connect and held until
 *      the link closes;
 *   3. the connect gate (the central's FifoLock: one connect or scan per adapter), held only while connecting;
 *   4. the battery's lease (a FifoLock: one operation per link), held for the whole poll or MOSFET command.
 * The session under the lease needs no lock of its own: an operation awaits each request before the next, so one
 * request is in flight per link, and the session refuses a second one as a bug. Closing a link waits for its lease
 * to be free; it never takes it.
 */
export class ConnectionPool extends EventEmitter implements BmsPool, PoolInspection {
  private readonly central: BleCentral;
  private readonly options: PoolSettings;
  private readonly debug: (message: string) => void;
  private readonly trace: ((message: string) => void) | undefined;
  private readonly batteries = new Map<string, Battery>();
  private readonly links: PoolLinks;
  private readonly lifetime = new AbortController();
  private closing: Promise<void> | null = null;
  private lastAdapterState: AdapterState;
  private lastAdapterError: BmsError | undefined;

  private readonly onCentralState = (change: CentralStateChange) => {
    if (change.state === this.lastAdapterState && change.error === this.lastAdapterError) return;
    this.lastAdapterState = change.state;
    this.lastAdapterError = change.error;
    this.debug(`adapter ${change.state}${change.error ? `: ${change.error.message}` : ""}`);
    this.emit("adapter", { state: change.state, error: change.error } satisfies AdapterStateEvent);
  };

  /** Runs last in close(): lets go of what the pool's creator acquired for it (its hold on a shared adapter). */
  private readonly afterClose: (() => Promise<void>) | undefined;

  constructor(central: BleCentral, options: PoolOptions = {}, afterClose?: () => Promise<void>) {
    super();
    this.central = central;
    this.afterClose = afterClose;
    this.options = poolSettings(options);
    const log = options.log;
    this.debug = (message) => log?.debug(message);
    this.trace = log?.trace?.bind(log);
    this.links = new PoolLinks({
      central,
      options: this.options,
      batteries: this.batteries,
      lifetime: this.lifetime.signal,
      debug: this.debug,
      trace: this.trace,
    });
    this.lastAdapterState = central.state;
    this.lastAdapterError = central.unavailableError;
    central.on("state", this.onCentralState);
  }

  async poll(address: string): Promise<PollResult> {
    const started = Date.now();
    return this.withLease(address, async (battery, session, timing) => {
      const payload = await session.poll();
      return { address: battery.address, name: battery.name, payload, latencyMs: Date.now() - started, ...timing };
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
      async (battery, session, timing) => {
        const change = await session.setMos(desired, battery.mosIntent, signal);
        battery.rememberMosIntent(change.requested);
        return {
          address: battery.address,
          name: battery.name,
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
    const battery = this.batteryFor(normalizeAddress(address));
    const released = new BmsError("RELEASED", `${battery.address} is released for the phone app`);
    battery.released(holdMs);
    battery.abortConnect(released);
    battery.lease.refuseWaiting(released);
    await this.links.close(battery, { error: released, quiet: true });
  }

  async reconnect(address: string): Promise<void> {
    this.assertOpen();
    const battery = this.batteryFor(normalizeAddress(address));
    battery.reconnectRequested();
    await this.links.close(battery, quietly(`${battery.address}: reconnect requested`));
  }

  async scan(durationMs: number): Promise<ScanResult[]> {
    this.assertOpen();
    const found = await this.central.scan(durationMs, this.lifetime.signal);
    const results: ScanResult[] = found.map((device) => ({
      ...device,
      linked: Boolean(this.batteries.get(device.address)?.link),
    }));
    // Linked batteries stop advertising; list them from the pool.
    for (const battery of this.batteries.values()) {
      if (battery.link && !results.some((r) => r.address === battery.address)) {
        results.push({
          address: battery.address,
          name: battery.name,
          rssi: null,
          recognised: [{ by: "link" }],
          linked: true,
        });
      }
    }
    return results;
  }

  linkState(address: string): LinkState {
    return this.batteries.get(normalizeAddress(address))?.state ?? "closed";
  }

  adapterState(): AdapterState {
    return this.central.state;
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  // ---- inspection (tests, benchmarks, leak checks) ------------------------------------------------------------

  linkInfo(address: string): LinkInfo {
    const battery = this.batteries.get(normalizeAddress(address));
    return {
      state: battery?.state ?? "closed",
      consecutiveFailures: battery?.consecutiveFailures ?? 0,
      connects: battery?.connects ?? 0,
      lastError: battery?.lastError ?? null,
      name: battery?.name ?? null,
    };
  }

  diagnostics(): PoolDiagnostics {
    const all = [...this.batteries.values()];
    return {
      openLinks: all.filter((battery) => battery.link).length,
      leasesHeld: all.filter((battery) => battery.lease.isHeld).length,
      connectsInFlight: all.filter((battery) => battery.connecting).length,
      slotWaiters: this.links.slots.waiting,
      timers: this.links.timers.count,
      poolListeners: this.eventNames().reduce((sum, name) => sum + this.listenerCount(name), 0),
      centralListeners: this.central.listenerCounts(),
      centralOpenLinks: this.central.openLinks,
      closed: this.closing !== null,
    };
  }

  // ---- leases -------------------------------------------------------------------------------------------------

  /**
   * Runs one operation on a leased link: shares or starts the connect, waits its turn on the link, and after the
   * operation either keeps the link idle, closes it (idle timeout 0, a slot someone waits for, a broken link),
   * or hands it to the next caller. An aborted `signal` ends the wait for the connect (which carries on for the
   * battery's next use) or for the lease with the signal's reason.
   */
  private async withLease<T>(
    rawAddress: string,
    operation: (battery: Battery, session: BmsSession, timing: LeaseTiming) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted();
    this.assertOpen();
    const battery = this.batteryFor(normalizeAddress(rawAddress));
    const timing: LeaseTiming = { connection: "reused", connectMs: 0 };
    // A link that dies between our connect and our turn is reconnected once, then the error stands.
    for (let attempt = 1; ; attempt++) {
      // The pool may have started closing while this caller waited for its turn on the lease.
      this.assertOpen();
      const refusal = battery.unavailable();
      if (refusal) throw refusal;
      if (!battery.link?.isOpen) {
        const started = Date.now();
        await abortable(
          battery.connectOnce((connectSignal) => this.links.open(battery, connectSignal)),
          signal,
        );
        timing.connection = "new";
        timing.connectMs += Date.now() - started;
      }
      await battery.lease.acquire(signal);
      if (battery.link?.isOpen && battery.session) break;
      this.returnLease(battery);
      if (attempt >= 2) {
        throw (
          battery.lastError ?? new BmsError("LINK_LOST", `the link to ${battery.address} closed before it was used`)
        );
      }
    }
    const session = battery.session as BmsSession;
    try {
      battery.leaseTaken();
      return await operation(battery, session, timing);
    } catch (error) {
      // Errors that say the link is unusable close it, so the next operation reconnects cleanly.
      if (isBmsError(error) && errorRecord(error.code).closesLink) await this.links.closeBroken(battery, error);
      throw error;
    } finally {
      this.returnLease(battery);
    }
  }

  /** After an operation: the next in line takes the link, or it closes (when it must), or it stays idle. */
  private returnLease(battery: Battery): void {
    if (!battery.leaseReturned() || this.closing) return;
    const closeNow =
      this.links.slots.waiting > 0
        ? "a waiting battery needs the slot"
        : this.closesAfterUse()
          ? "idle timeout 0"
          : null;
    if (closeNow) {
      this.debug(`${battery.address}: closing the link (${closeNow})`);
      void this.links.close(battery, quietly(`${battery.address}: closed (${closeNow})`));
      return;
    }
    battery.leftIdle();
  }

  private closesAfterUse(): boolean {
    return !this.options.keepOpen && this.options.idleTimeoutMs <= 0;
  }

  private async shutdown(): Promise<void> {
    const closed = new BmsError("POOL_CLOSED", "the connection pool is closed (redeploy or shutdown)");
    this.lifetime.abort(closed);
    const all = [...this.batteries.values()];
    for (const battery of all) battery.lease.refuseWaiting(closed);
    // Let leases in flight finish (a poll is a few hundred ms), but never past the grace period.
    await new Promise<void>((resolve) => {
      const grace = setTimeout(resolve, CLOSE_GRACE_MS);
      void Promise.all(all.map((battery) => battery.lease.whenFree())).then(() => {
        clearTimeout(grace);
        resolve();
      });
    });
    await this.links.closeAll(closed);
    this.central.off("state", this.onCentralState);
    await this.afterClose?.();
    this.debug("pool closed");
    this.removeAllListeners();
  }

  // ---- bookkeeping --------------------------------------------------------------------------------------------

  /**
   * Tells the state listeners. A transition announces from timers, closes and a lease's return, so a listener's
   * throw must not reach them: it would replace a poll's result, skip the pool's close handling or escape a timer.
   */
  private announce(event: LinkStateEvent): void {
    try {
      this.emit("state", event);
    } catch (error) {
      this.debug(`${event.address}: a state listener failed: ${errorMessage(error)}`);
    }
  }

  private batteryFor(address: string): Battery {
    let battery = this.batteries.get(address);
    if (!battery) {
      battery = new Battery(address, {
        changed: (event: LinkStateEvent) => this.announce(event),
        slots: this.links.slots,
        timers: this.links.timers,
        backoffMs: (failures) => backoffDelayMs(failures, this.options.backoffInitialMs, this.options.backoffMaxMs),
      });
      this.batteries.set(address, battery);
    }
    return battery;
  }

  private assertOpen(): void {
    if (this.closing) throw new BmsError("POOL_CLOSED", "the connection pool is closed (redeploy or shutdown)");
  }
}
