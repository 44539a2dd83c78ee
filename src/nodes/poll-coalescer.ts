/** A poll that waits behind the one in flight, shared by every trigger that joined it. */
interface Pending<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

interface Slot<T> {
  running: Promise<T> | null;
  pending: Pending<T> | null;
}

/**
 * Coalesces overlapping triggers per battery: at most one task in flight plus one pending. A trigger that arrives
 * while one is pending joins it and gets the same result, so a burst of inputs (or an interval faster than the
 * battery answers) costs at most one extra poll, and every trigger still gets exactly one outcome.
 */
export class PollCoalescer<T> {
  private readonly slots = new Map<string, Slot<T>>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(key) ?? { running: null, pending: null };
    this.slots.set(key, slot);
    if (slot.pending) return slot.pending.promise;
    if (!slot.running) return this.start(key, slot, task);
    let resolve!: (value: T) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const pending: Pending<T> = { promise, resolve, reject };
    slot.pending = pending;
    const startPending = () => {
      // Cancelled while it waited: it never starts.
      if (slot.pending !== pending) return;
      slot.pending = null;
      this.start(key, slot, task).then(resolve, reject);
    };
    slot.running.then(startPending, startPending);
    return promise;
  }

  /**
   * Ends every pending task with `reason` before it starts (its node is closing); tasks in flight run on, and their
   * callers decide what to do with a result that comes too late.
   */
  cancelPending(reason: unknown): void {
    for (const [key, slot] of this.slots) {
      const pending = slot.pending;
      if (!pending) continue;
      slot.pending = null;
      if (!slot.running) this.slots.delete(key);
      pending.reject(reason);
    }
  }

  /** Number of batteries with work in flight or pending (0 once everything has settled). */
  get active(): number {
    return this.slots.size;
  }

  private start(key: string, slot: Slot<T>, task: () => Promise<T>): Promise<T> {
    const running = Promise.resolve().then(task);
    slot.running = running;
    const settle = () => {
      if (slot.running !== running) return;
      slot.running = null;
      if (!slot.pending) this.slots.delete(key);
    };
    running.then(settle, settle);
    return running;
  }
}
