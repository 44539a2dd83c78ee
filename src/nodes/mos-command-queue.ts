export type QueueOutcome<T> = { superseded: false; value: T } | { superseded: true };

/** A command: runs with a signal that aborts when the queue is cancelled (its node closes). */
export type MosTask<T> = (signal: AbortSignal) => Promise<T>;

interface Waiting<T> {
  task: MosTask<T>;
  resolve: (outcome: QueueOutcome<T>) => void;
  reject: (err: unknown) => void;
}

/**
 * One MOSFET write per battery in flight; a newer command replaces a queued older one, which then settles as
 * superseded without running (switching to a state that is about to be overwritten is pointless and risky).
 * cancelAll() (the node closing) ends every queued command unrun and aborts the running ones' signal, and the queue
 * takes no new command afterwards.
 */
export class MosCommandQueue<T> {
  private readonly slots = new Map<string, { waiting: Waiting<T> | null }>();
  private readonly lifetime = new AbortController();

  run(key: string, task: MosTask<T>): Promise<QueueOutcome<T>> {
    if (this.lifetime.signal.aborted) return Promise.reject(this.lifetime.signal.reason);
    return new Promise<QueueOutcome<T>>((resolve, reject) => {
      const slot = this.slots.get(key);
      if (!slot) {
        this.slots.set(key, { waiting: null });
        this.start(key, { task, resolve, reject });
        return;
      }
      slot.waiting?.resolve({ superseded: true });
      slot.waiting = { task, resolve, reject };
    });
  }

  /** Number of batteries with a write in flight (0 once everything has settled). */
  get active(): number {
    return this.slots.size;
  }

  /** Ends the queued commands with `reason` without running them, and aborts the running commands' signal. */
  cancelAll(reason: Error): void {
    this.lifetime.abort(reason);
    for (const slot of this.slots.values()) {
      slot.waiting?.reject(reason);
      slot.waiting = null;
    }
  }

  private start(key: string, job: Waiting<T>): void {
    const next = () => {
      const slot = this.slots.get(key);
      const waiting = slot?.waiting;
      if (slot && waiting) {
        slot.waiting = null;
        this.start(key, waiting);
      } else {
        this.slots.delete(key);
      }
    };
    Promise.resolve()
      .then(() => job.task(this.lifetime.signal))
      .then(
        (value) => job.resolve({ superseded: false, value }),
        (err: unknown) => job.reject(err),
      )
      .then(next);
  }
}
