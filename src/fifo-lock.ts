/**
 * The package's one lock: first come, first served, for up to `capacity` holders at once (1, the default, makes it a
 * mutex). Every wait can be cancelled: a waiter whose AbortSignal aborts leaves the line with the signal's reason,
 * and refuseWaiting() turns the whole line away with one error (a pool closing, a battery released).
 *
 * Used for the connect gate (one connect per adapter, src/ble), the per-battery lease (one operation per link) and
 * the link slots (the cap on open links), both in src/pool; the pool's documentation gives the order they are taken in.
 */
export class FifoLock {
  private holders = 0;
  private readonly waiters: Array<{ grant(): void; refuse(error: unknown): void }> = [];
  private readonly freeWatchers: Array<() => void> = [];

  constructor(private readonly capacity = 1) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`lock capacity must be >= 1: ${capacity}`);
  }

  /** Whether anyone holds the lock. */
  get isHeld(): boolean {
    return this.holders > 0;
  }

  /** Waiters in line. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes the lock at once if that needs no wait (nobody in line, a place free); true when taken. */
  tryAcquire(): boolean {
    if (this.holders >= this.capacity || this.waiters.length > 0) return false;
    this.holders++;
    return true;
  }

  /** Takes the lock, waiting in line; an aborted `signal` takes the waiter out of the line with its reason. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryAcquire()) return Promise.resolve();
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
        refuse: (error: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Hands the place to the next waiter, or frees it; returns true when nobody holds the lock any more. */
  release(): boolean {
    const next = this.waiters.shift();
    if (next) {
      next.grant();
      return false;
    }
    this.holders = Math.max(0, this.holders - 1);
    if (this.holders > 0) return false;
    for (const watcher of this.freeWatchers.splice(0)) watcher();
    return true;
  }

  /** Runs `task` holding the lock, and lets go of it however the task ends. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Turns every waiter away with `error` (the holders keep their places). */
  refuseWaiting(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.refuse(error);
  }

  /** Resolves once nobody holds the lock. */
  whenFree(): Promise<void> {
    if (this.holders === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.freeWatchers.push(resolve));
  }
}
