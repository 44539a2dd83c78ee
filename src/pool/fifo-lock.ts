import type { BmsError } from "../errors";

/**
 * A first-come-first-served lock whose waiters can be turned away with an error (release, pool close).
 * Used for the per-link lease (one command in flight per link) and for the pool's link slots (the cap).
 */
export class FifoLock {
  private held = false;
  private readonly waiters: Array<{ grant(): void; refuse(error: BmsError): void }> = [];
  private readonly idleWatchers: Array<() => void> = [];

  get isHeld(): boolean {
    return this.held;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes the lock, waiting in line; an aborted `signal` takes the waiter out of the line with its reason. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        refuse: (error: BmsError) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Hands the lock to the next waiter, or frees it; returns true when it is free now. */
  release(): boolean {
    const next = this.waiters.shift();
    if (next) {
      next.grant();
      return false;
    }
    this.held = false;
    for (const watcher of this.idleWatchers.splice(0)) watcher();
    return true;
  }

  /** Turns every waiter away (the holder keeps the lock). */
  refuseWaiting(error: BmsError): void {
    for (const waiter of this.waiters.splice(0)) waiter.refuse(error);
  }

  /** Resolves once nobody holds the lock. */
  whenFree(): Promise<void> {
    if (!this.held) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWatchers.push(resolve));
  }
}
