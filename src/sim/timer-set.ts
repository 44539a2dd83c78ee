/**
 * Every pending timer of the simulator, grouped so a link, a scan or the whole bindings can cancel its own.
 * The global setTimeout/setImmediate are looked up at call time, never captured at load, so @sinonjs/fake-timers
 * installed after this module loads still drives them. A delay of 0 uses setImmediate: setTimeout(0) clamps to
 * 1 ms and would cap throughput.
 */
export class TimerSet {
  private readonly pending = new Map<number, { group: string; cancel: () => void }>();
  private nextId = 1;

  /** Runs `fn` after `ms`; `background` timers do not keep the process alive (fault schedules). */
  after(ms: number, group: string, fn: () => void, background = false): number {
    const id = this.nextId++;
    const run = () => {
      this.pending.delete(id);
      fn();
    };
    if (ms <= 0) {
      const handle = setImmediate(run);
      if (background) handle.unref?.();
      this.pending.set(id, { group, cancel: () => clearImmediate(handle) });
    } else {
      const handle = setTimeout(run, ms);
      if (background) handle.unref?.();
      this.pending.set(id, { group, cancel: () => clearTimeout(handle) });
    }
    return id;
  }

  cancel(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.cancel();
  }

  cancelGroup(group: string): void {
    for (const [id, entry] of this.pending) {
      if (entry.group === group) {
        this.pending.delete(id);
        entry.cancel();
      }
    }
  }

  cancelAll(): void {
    for (const entry of this.pending.values()) entry.cancel();
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
