import type { BleLink } from "../ble/ble-link";
import type { BmsSession } from "../bms/bms-session";
import { BmsError, errorRecord } from "../errors";
import { FifoLock } from "../fifo-lock";
import type { MosState } from "../protocol/payload";
import type { PoolTimers } from "./pool-timers";
import type { LinkState, LinkStateEvent } from "./types";

/**
 * Why a link closed. `quiet`: the pool closed it itself for housekeeping (idle timeout, eviction, reconnect, a
 * release), which a badge does not show as an error; every other close (a drop, a broken link, the adapter, the pool
 * closing) carries its error to the badge.
 */
export interface CloseReason {
  error: BmsError;
  quiet: boolean;
}

/** What a battery needs from its pool. */
export interface BatteryHooks {
  /** Told once per change of the battery's state: the pool's "state" event. */
  changed(event: LinkStateEvent): void;
  /** The pool's link slots (the cap on open links): a battery holds one from its connect until its link closes. */
  slots: FifoLock;
  /** The pool's timers; a battery keeps one there while a backoff or a release hold runs. */
  timers: PoolTimers;
  /** Backoff before the next connect after this many connect failures in a row. */
  backoffMs(failures: number): number;
}

/**
 * One battery's place in the pool, as a state machine. It keeps the facts (its link and session, a connect in flight,
 * its link slot, a close under way, when a backoff or release hold ends, its failures, whether its module said it
 * wants a password) and changes them only through its transitions, named for what happened: connected, connect
 * failed, lease taken and returned, close begun, link closed, released, reconnect requested, password need learned.
 * Its state (closed, searching, connecting, busy, idle, closing, backoff, released) is never stored: it is derived
 * from those facts, and every transition ends by announcing the state once if it changed. The pool decides what to do
 * (connect, lease, close); the battery records what is.
 */
export class Battery {
  /** One operation per link: a poll holds it for 0x03 + 0x04 (+ 0x05). */
  readonly lease = new FifoLock();
  private openLink: BleLink | null = null;
  private openSession: BmsSession | null = null;
  private attempt: { done: Promise<void>; abort: AbortController } | null = null;
  private phase: "searching" | "connecting" = "searching";
  private holdsSlot = false;
  /** Set from the moment the pool begins to close the link until it has closed. */
  private closing: CloseReason | null = null;
  private backoffUntil = 0;
  private releasedUntil = 0;
  private failures = 0;
  private lastFailure: BmsError | null = null;
  private advertisedName: string | null = null;
  private connectCount = 0;
  private idleFrom = 0;
  private usedAt = 0;
  private intent: MosState | undefined;
  private passwordWanted = false;
  /** What was last announced: the state and, for a hold, when it ends. */
  private announced: { state: LinkState; until: number } = { state: "closed", until: 0 };

  constructor(
    readonly address: string,
    private readonly hooks: BatteryHooks,
  ) {}

  // ---- facts --------------------------------------------------------------------------------------------------

  /** The open link, or null; a link is dropped from here the moment it closes. */
  get link(): BleLink | null {
    return this.openLink;
  }

  get session(): BmsSession | null {
    return this.openSession;
  }

  /** The connect in flight, shared by every caller that needs the link meanwhile, or null. */
  get connecting(): Promise<void> | null {
    return this.attempt?.done ?? null;
  }

  get name(): string | null {
    return this.advertisedName;
  }

  get connects(): number {
    return this.connectCount;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  get lastError(): BmsError | null {
    return this.lastFailure;
  }

  /** When an operation last held or returned the lease (least recently used eviction). */
  get lastUsed(): number {
    return this.usedAt;
  }

  /** Since when the link has been idle (the idle timeout). */
  get idleSince(): number {
    return this.idleFrom;
  }

  /** Holds one of the pool's link slots (from its connect until its link closes). */
  get hasSlot(): boolean {
    return this.holdsSlot;
  }

  /** An open link nobody uses or waits for. */
  get idle(): boolean {
    return this.openLink !== null && !this.lease.isHeld && this.lease.waiting === 0;
  }

  /** The software-lock state last asked of this battery (PROTOCOL 5.1: kept apart from the FET bits). */
  get mosIntent(): MosState | undefined {
    return this.intent;
  }

  /**
   * Its Bluetooth module answered the FF AA app key with "a password is needed" on an earlier link, and has not said
   * otherwise since: link setup asks it again at once instead of waiting for a silent first request.
   */
  get wantsPassword(): boolean {
    return this.passwordWanted;
  }

  /** The state, derived from the facts. */
  get state(): LinkState {
    const now = Date.now();
    if (this.openLink) {
      if (this.closing) return "closing";
      // A release waits for the operation in flight before it closes the link; the badge says so at once.
      if (this.releasedUntil > now) return "released";
      return this.lease.isHeld ? "busy" : "idle";
    }
    if (this.attempt && this.holdsSlot) return this.phase;
    if (this.releasedUntil > now) return "released";
    if (this.backoffUntil > now) return "backoff";
    return "closed";
  }

  /** Why work must fail fast now (released, or backing off with no link and no connect), or null. */
  unavailable(): BmsError | null {
    const now = Date.now();
    if (this.releasedUntil > now) {
      return new BmsError(
        "RELEASED",
        `${this.address} is released for the phone app for ${secondsUntil(this.releasedUntil)} s more`,
      );
    }
    if (this.backoffUntil > now && !this.openLink && !this.attempt) {
      const last = this.lastFailure;
      return new BmsError(
        last?.code ?? "CONNECT_FAILED",
        `${last?.message ?? `${this.address} failed to connect`}; retry in ${secondsUntil(this.backoffUntil)} s`,
        { cause: last ?? undefined },
      );
    }
    return null;
  }

  /** A connect failure with "retry in N s" added while the battery backs off. */
  withRetryHint(error: BmsError): BmsError {
    if (this.backoffUntil <= Date.now()) return error;
    return new BmsError(error.code, `${error.message}; retry in ${secondsUntil(this.backoffUntil)} s`, {
      cause: error,
      details: error.details,
    });
  }

  // ---- transitions --------------------------------------------------------------------------------------------

  /** Starts a connect with `run`, or joins the one in flight (single flight). */
  connectOnce(run: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.attempt) return this.attempt.done;
    const attempt = { done: Promise.resolve(), abort: new AbortController() };
    this.attempt = attempt;
    attempt.done = run(attempt.abort.signal).finally(() => {
      if (this.attempt === attempt) this.attempt = null;
      this.announce();
    });
    return attempt.done;
  }

  /** Stops waiting for the connect in flight (it ends with `reason`, as far as it has not finished). */
  abortConnect(reason: BmsError): void {
    this.attempt?.abort.abort(reason);
  }

  /** The connect has its link slot and looks for the battery now. */
  slotTaken(): void {
    this.holdsSlot = true;
    this.phase = "searching";
    this.announce();
  }

  /** The connect found the battery and connects to it. */
  phaseChanged(phase: "searching" | "connecting"): void {
    this.phase = phase;
    this.announce();
  }

  connected(link: BleLink, session: BmsSession): void {
    this.openLink = link;
    this.openSession = session;
    this.advertisedName = link.name ?? this.advertisedName;
    this.connectCount++;
    this.failures = 0;
    this.backoffUntil = 0;
    this.lastFailure = null;
    this.idleFrom = Date.now();
    this.hooks.timers.clearHold(this.address);
    this.announce();
  }

  /** The connect failed; unless the adapter or the pool is to blame, the battery backs off. */
  connectFailed(error: BmsError): void {
    this.returnSlot();
    this.lastFailure = error;
    if (errorRecord(error.code).batteryFault) {
      this.failures++;
      const delay = this.hooks.backoffMs(this.failures);
      this.backoffUntil = Date.now() + delay;
      this.hooks.timers.hold(this.address, delay, () => this.announce());
    }
    this.announce(error);
  }

  leaseTaken(): void {
    this.usedAt = Date.now();
    this.announce();
  }

  /**
   * Gives the lease back (to the next operation in line, if any). Returns true when the link, still open, is now
   * free: the pool then closes it or leaves it idle (`leftIdle`).
   */
  leaseReturned(): boolean {
    const free = this.lease.release();
    this.usedAt = Date.now();
    return free && this.openLink !== null;
  }

  leftIdle(): void {
    this.idleFrom = Date.now();
    this.announce();
  }

  /** The operation in flight found the link unusable: the pool closes it with this error. */
  linkBroken(error: BmsError): void {
    this.lastFailure = error;
  }

  /** The pool begins to close the link, for `reason`. */
  closeBegun(reason: CloseReason): void {
    this.closing = reason;
    this.announce();
  }

  /**
   * The link closed, whoever closed it: the close the pool began carries its own reason, anything else (a drop, the
   * adapter, a broken link) is what the link reports. A link that is not this battery's any more changes nothing.
   */
  linkClosed(link: BleLink, error: BmsError): void {
    if (this.openLink !== link) return;
    const reason = this.closing ?? { error, quiet: false };
    this.closing = null;
    this.openLink = null;
    this.openSession?.dispose(error);
    this.openSession = null;
    this.returnSlot();
    this.announce(reason.quiet ? undefined : reason.error);
  }

  /** Released for the phone app: no link and no work for `holdMs`. */
  released(holdMs: number): void {
    const ms = Math.max(0, holdMs);
    this.releasedUntil = Date.now() + ms;
    this.hooks.timers.hold(this.address, ms, () => this.announce());
    this.announce();
  }

  /** A reconnect asked for: any release hold or backoff ends now. */
  reconnectRequested(): void {
    this.releasedUntil = 0;
    this.backoffUntil = 0;
    this.failures = 0;
    this.hooks.timers.clearHold(this.address);
    this.announce();
  }

  rememberMosIntent(intent: MosState): void {
    this.intent = intent;
  }

  /** The module answered the FF AA app key: it wants a password (status 00), or it has none (02). */
  passwordNeedLearned(wanted: boolean): void {
    this.passwordWanted = wanted;
  }

  // ---- bookkeeping --------------------------------------------------------------------------------------------

  private returnSlot(): void {
    if (!this.holdsSlot) return;
    this.holdsSlot = false;
    this.hooks.slots.release();
  }

  /**
   * Tells the pool the state if it changed (a hold with a new end counts as a change: the badge shows it). The last
   * step of every transition, so the facts are complete whatever a listener does.
   */
  private announce(error?: BmsError): void {
    const state = this.state;
    const until = state === "released" ? this.releasedUntil : state === "backoff" ? this.backoffUntil : 0;
    if (state === this.announced.state && until === this.announced.until) return;
    this.announced = { state, until };
    const event: LinkStateEvent = { address: this.address, state };
    if (until > 0) event.untilMs = Math.max(0, until - Date.now());
    if (error) event.error = error;
    this.hooks.changed(event);
  }
}

function secondsUntil(time: number): number {
  return Math.max(1, Math.ceil((time - Date.now()) / 1000));
}
