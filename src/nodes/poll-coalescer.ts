/**
 * Coalesces overlapping triggers per battery: at most one task in flight plus one pending. A trigger that arrives
 * while one is pending joins it and gets the same result, so a burst of inputs (or an interval faster than the
 * battery answers) costs at most one extra poll, and every trigger still gets exactly one outcome.
 */
export class PollCoalescer<T> {
  private readonly slots = new Map<string, { running: Promise<T> | null; pending: Promise<T> | null }>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(key) ?? { running: null, pending: null };
    this.slots.set(key, slot);
    if (slot.pending) return slot.pending;
    if (!slot.running) return this.start(key, slot, task);
    const pending = slot.running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        slot.pending = null;
        return this.start(key, slot, task);
      });
    slot.pending = pending;
    return pending;
  }

  /** Number of batteries with work in flight or pending (0 once everything has settled). */
  get active(): number {
    return this.slots.size;
  }

  private start(key: string, slot: { running: Promise<T> | null; pending: Promise<T> | null }, task: () => Promise<T>) {
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
