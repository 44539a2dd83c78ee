import type { Peripheral } from "@abandonware/noble";

interface Guard {
  peripheral: Peripheral;
  listener: (error: unknown) => void;
  unanswered: ReturnType<typeof setTimeout>;
}

export interface OrphanGuardHooks {
  /** How long a controller may take to answer a cancel before noble's record of it is not trusted any more. */
  timeoutMs: number;
  log(message: string): void;
  /** A cancel was never answered: noble holds the connect pending and every later connect queues behind it. */
  distrust(reason: string): void;
  /** Disconnects a peripheral that never became a link. */
  disconnect(peripheral: Peripheral): void;
}

/**
 * Peripherals whose connect the central gave up (its timeout, or an abort): a late success from the controller must
 * be disconnected, and a cancel the controller never answers (no connect event at all) means noble still holds the
 * connect pending. At most one guard per peripheral: the next attempt on it replaces it.
 */
export class OrphanGuards {
  private readonly guards = new Map<string, Guard>();

  constructor(private readonly hooks: OrphanGuardHooks) {}

  /** Guards on noble's peripheral objects now (counted apart from the links' listeners by leak checks). */
  get size(): number {
    return this.guards.size;
  }

  /**
   * Gives up a connect that is still pending: cancelConnect (noble itself emits connect(err) to the peripheral; the
   * connect's own listener is gone by then), and a guard that disconnects the peripheral if the controller completes
   * the connection anyway.
   */
  abandon(address: string, peripheral: Peripheral): void {
    const { log, disconnect, distrust, timeoutMs } = this.hooks;
    log(`${address}: cancelling the pending connect`);
    if (peripheral.state === "connecting") peripheral.cancelConnect();
    this.drop(peripheral.id);
    const listener = (error: unknown) => {
      this.drop(peripheral.id);
      if (!error) {
        log(`${address}: a cancelled connect completed late; disconnecting it`);
        disconnect(peripheral);
      }
    };
    peripheral.on("connect", listener);
    // A controller answers a cancel with the connect's end (an error, or a late success); without either, noble keeps
    // the connect pending and queues every later connect of this adapter behind it for ever.
    const unanswered = setTimeout(() => {
      if (this.guards.get(peripheral.id)?.listener !== listener) return;
      distrust(`the controller never answered the cancel of the connect to ${address}`);
    }, timeoutMs);
    unanswered.unref?.();
    this.guards.set(peripheral.id, { peripheral, listener, unanswered });
  }

  /** Removes the guard of a peripheral, if it has one (a new attempt on it, or the guard's own end). */
  drop(id: string): void {
    const guard = this.guards.get(id);
    if (!guard) return;
    clearTimeout(guard.unanswered);
    guard.peripheral.removeListener("connect", guard.listener);
    this.guards.delete(id);
  }
}
