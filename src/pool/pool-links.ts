import type { BleCentral } from "../ble/ble-central";
import type { BleLink } from "../ble/ble-link";
import { askWhetherPasswordNeeded, authenticate, type HandshakeOutcome } from "../bms/auth-handshake";
import { BmsSession } from "../bms/bms-session";
import { BmsError, isBmsError, toBmsError } from "../errors";
import { FifoLock } from "../fifo-lock";
import type { Battery, CloseReason } from "./battery";
import { PoolTimers } from "./pool-timers";
import type { PoolSettings } from "./types";

/** What the links of a pool need from it. */
export interface PoolLinksContext {
  central: BleCentral;
  options: PoolSettings;
  batteries: ReadonlyMap<string, Battery>;
  /** Aborts with POOL_CLOSED when the pool closes. */
  lifetime: AbortSignal;
  debug(message: string): void;
  trace: ((message: string) => void) | undefined;
}

/**
 * Opening and closing the links of one pool: link setup as a sequence of steps the pool owns (a link slot, then
 * the central's connect gate: find, connect, discover, subscribe; then the FF AA handshake where a module password
 * is set; then the session on the new link), the cap with least-recently-used eviction, closes chosen by the pool
 * (idle timeout, eviction, reconnect, release, pool close), the sweeper, and what happens whenever a link closes.
 */
export class PoolLinks {
  /** The cap on open (or opening) links: a connect takes a slot before it starts, the link's close gives it back. */
  readonly slots: FifoLock;
  readonly timers: PoolTimers;

  constructor(private readonly context: PoolLinksContext) {
    this.slots = new FifoLock(Math.max(1, context.options.maxLinks));
    this.timers = new PoolTimers(context.options.sweepIntervalMs, () => this.sweep());
  }

  /**
   * One connect attempt of a battery (Battery.connectOnce shares it among its callers): link setup, step by step.
   *   1. a link slot (the cap);
   *   2. at the adapter's connect gate: find the battery by a short scan, connect, discover the JBD service,
   *      subscribe to its notifications (BleCentral.connect);
   *   3. the FF AA handshake, for modules that want a password (PROTOCOL 5.2 b; see login);
   *   4. the session on the new link, whose first request is asked twice if the BMS sleeps through it, and, with no
   *      password configured, once more after the app key if the module says it has no password (see adopt).
   * A failure at any step closes what the attempt opened, and the battery backs off when it is the battery's fault.
   */
  async open(battery: Battery, signal: AbortSignal): Promise<void> {
    const { central, options, lifetime, debug } = this.context;
    const onPoolClose = () => battery.abortConnect(lifetime.reason as BmsError);
    lifetime.addEventListener("abort", onPoolClose, { once: true });
    try {
      await this.takeSlot(battery, signal);
      const link = await central.connect(battery.address, {
        scanTimeoutMs: options.scanTimeoutMs,
        timeoutMs: options.connectTimeoutMs,
        signal,
        onPhase: (phase) => battery.phaseChanged(phase),
      });
      const password = options.modulePassword(battery.address);
      await this.login(battery, link, password, signal);
      this.adopt(battery, link, password === undefined);
    } catch (error) {
      const failure = toBmsError(error, "CONNECT_FAILED");
      debug(`${battery.address}: connect failed: ${failure.code} ${failure.message}`);
      battery.connectFailed(failure);
      throw battery.withRetryHint(failure);
    } finally {
      lifetime.removeEventListener("abort", onPoolClose);
    }
  }

  /** Closes a battery's link once its lease is free ("a close during use waits for the lease"). */
  async close(battery: Battery, reason: CloseReason): Promise<void> {
    if (!battery.link) return;
    if (battery.lease.isHeld) await battery.lease.whenFree();
    const link = battery.link;
    if (!link) return;
    battery.closeBegun(reason);
    await link.close(reason.error);
  }

  /** The operation holding the lease found the link unusable: closed at once, with its error on the badge. */
  async closeBroken(battery: Battery, error: BmsError): Promise<void> {
    const link = battery.link;
    if (!link) return;
    battery.linkBroken(error);
    this.context.debug(`${battery.address}: closing the link after ${error.code}`);
    await link.close(error);
  }

  /** The pool is closing: every link goes (with POOL_CLOSED for whatever still waits on it), and every timer. */
  async closeAll(closed: BmsError): Promise<void> {
    const all = [...this.context.batteries.values()];
    await Promise.all([
      ...all.map((battery) => battery.connecting?.catch(() => {})),
      ...all.map(async (battery) => {
        const link = battery.link;
        if (!link) return;
        battery.closeBegun({ error: closed, quiet: false });
        await link.close(closed);
      }),
    ]);
    this.timers.close();
  }

  /** A link slot, evicting the least recently used idle link if the cap is reached, else waiting in line. */
  private async takeSlot(battery: Battery, signal: AbortSignal): Promise<void> {
    // A battery whose link died without a word still holds its slot: the new link takes that one.
    if (!battery.hasSlot && !this.slots.tryAcquire()) {
      const victim = this.leastRecentlyUsedIdle();
      const waiting = this.slots.acquire(signal);
      if (victim) {
        this.context.debug(`${victim.address}: evicted (least recently used) to make room for ${battery.address}`);
        void this.close(victim, quietly(`${victim.address}: evicted to make room`));
      } else {
        this.context.debug(`${battery.address}: waiting for a free link slot (cap ${this.context.options.maxLinks})`);
      }
      await waiting;
    }
    battery.slotTaken();
  }

  private leastRecentlyUsedIdle(): Battery | undefined {
    let oldest: Battery | undefined;
    for (const candidate of this.context.batteries.values()) {
      if (!candidate.idle) continue;
      if (!oldest || candidate.lastUsed < oldest.lastUsed) oldest = candidate;
    }
    return oldest;
  }

  /**
   * Step 3 of link setup, after subscribe and before the first request: the whole FF AA handshake when a password is
   * configured for the battery (a module that does not answer the app key costs that one command timeout); the app
   * key alone when none is but an earlier link found the module wanting one; otherwise no FF AA frame at all. A
   * failure closes the new link, and the connect fails with it.
   */
  private async login(battery: Battery, link: BleLink, password: string | undefined, signal: AbortSignal) {
    const { options, trace, debug } = this.context;
    try {
      signal.throwIfAborted();
      if (password !== undefined) {
        const outcome = await authenticate(link, password, {
          commandTimeoutMs: options.commandTimeoutMs,
          signal,
          trace,
        });
        debug(`${battery.address}: FF AA handshake: ${outcome}`);
      } else if (battery.wantsPassword) {
        await this.askWhetherPasswordNeeded(battery, link, signal);
      }
    } catch (error) {
      await link.close(toBmsError(error, "LINK_LOST"));
      throw error;
    }
  }

  /** The app key alone, for a battery with no password configured; the answer is remembered on the battery. */
  private async askWhetherPasswordNeeded(
    battery: Battery,
    link: BleLink,
    signal: AbortSignal | undefined,
  ): Promise<Exclude<HandshakeOutcome, "authenticated">> {
    const { options, trace, debug } = this.context;
    try {
      const outcome = await askWhetherPasswordNeeded(link, {
        commandTimeoutMs: options.commandTimeoutMs,
        signal,
        trace,
      });
      debug(`${battery.address}: FF AA app key: ${outcome}`);
      if (outcome === "no password needed") battery.passwordNeedLearned(false);
      return outcome;
    } catch (error) {
      if (isBmsError(error) && error.code === "PASSWORD_REQUIRED") battery.passwordNeedLearned(true);
      throw error;
    }
  }

  /**
   * The last step of link setup: the session on the new link, and the pool's own close handling on it. Without a
   * password configured, a first request that goes unanswered twice gets the app key once (the silent start): a
   * module with no password lets the request be asked again, one that wants a password ends it with
   * PASSWORD_REQUIRED, and one that stays silent leaves the RESPONSE_TIMEOUT as it was.
   */
  private adopt(battery: Battery, link: BleLink, withoutPassword: boolean): void {
    const { options, trace, debug } = this.context;
    const onSilentStart = withoutPassword
      ? async (signal?: AbortSignal) =>
          (await this.askWhetherPasswordNeeded(battery, link, signal)) === "no password needed"
            ? "ask again"
            : "give up"
      : undefined;
    const session = new BmsSession(link, { commandTimeoutMs: options.commandTimeoutMs, trace, onSilentStart });
    battery.connected(link, session);
    link.onClose((error) => this.linkClosed(battery, link, error));
    debug(`${battery.address}: connected (connect #${battery.connects})`);
    this.timers.startSweeper();
  }

  /** The pool's own handling of a closed link, however it closed; the sweeper stops with the last link. */
  private linkClosed(battery: Battery, link: BleLink, error: BmsError): void {
    if (battery.link !== link) return;
    this.context.debug(`${battery.address}: link closed (${error.code})`);
    battery.linkClosed(link, error);
    this.stopSweeperIfUnused();
  }

  /** Closes idle links past the idle timeout, and forgets links that died without telling us. */
  private sweep(): void {
    const { options, debug } = this.context;
    const now = Date.now();
    for (const battery of this.context.batteries.values()) {
      const link = battery.link;
      if (!link) continue;
      if (!link.isOpen) {
        this.linkClosed(battery, link, new BmsError("LINK_LOST", `the link to ${battery.address} is gone`));
        continue;
      }
      if (battery.idle && !options.keepOpen && now - battery.idleSince >= options.idleTimeoutMs) {
        debug(`${battery.address}: idle for ${now - battery.idleSince} ms; closing the link`);
        void this.close(battery, quietly(`${battery.address}: closed (idle timeout)`));
      }
    }
    this.stopSweeperIfUnused();
  }

  private stopSweeperIfUnused(): void {
    for (const battery of this.context.batteries.values()) if (battery.link) return;
    this.timers.stopSweeper();
  }
}

/** A close the pool chooses for housekeeping: LINK_LOST for whatever waited on the link, no error on the badge. */
export function quietly(message: string): CloseReason {
  return { error: new BmsError("LINK_LOST", message), quiet: true };
}
