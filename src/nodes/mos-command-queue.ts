export type QueueOutcome<T> = { superseded: false; value: T } | { superseded: true };

interface Waiting<T> {
  task: () => Promise<T>;
  resolve: (outcome: QueueOutcome<T>) => void;
  reject: (err: unknown) => void;
}

/**
 * One MOSFET write per battery in flight; a newer command replaces a queued older one, which then settles as
 * superseded without running (switching to a state that is about to be overwritten is pointless and risky).
 */
export class MosCommandQueue<T> {
  private readonly slots = new Map<string, { waiting: Waiting<T> | null }>();

  run(key: string, task: () => Promise<T>): Promise<QueueOutcome<T>> {
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
      .then(job.task)
      .then(
        (value) => job.resolve({ superseded: false, value }),
        (err: unknown) => job.reject(err),
      )
      .then(next);
  }
}
