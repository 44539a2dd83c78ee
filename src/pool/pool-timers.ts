/**
 * Every timer a pool owns, in one place so that closing the pool can clear them all and diagnostics can count them:
 * the sweeper (one interval while any link is open) and one hold timer per battery (the end of a backoff or a
 * release hold, when the battery's badge moves on to "closed").
 */
export class PoolTimers {
  private sweeper: NodeJS.Timeout | null = null;
  private readonly holds = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly sweepIntervalMs: number,
    private readonly sweep: () => void,
  ) {}

  /** Timers running now. */
  get count(): number {
    return this.holds.size + (this.sweeper ? 1 : 0);
  }

  /** Starts the sweeper unless it runs already (or the pool has closed). */
  startSweeper(): void {
    if (this.sweeper || this.closed) return;
    this.sweeper = setInterval(this.sweep, this.sweepIntervalMs);
  }

  stopSweeper(): void {
    if (!this.sweeper) return;
    clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** Calls `ended` after `ms`, replacing any hold of the same battery. */
  hold(address: string, ms: number, ended: () => void): void {
    this.clearHold(address);
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.holds.delete(address);
      ended();
    }, ms);
    this.holds.set(address, timer);
  }

  clearHold(address: string): void {
    const timer = this.holds.get(address);
    if (!timer) return;
    clearTimeout(timer);
    this.holds.delete(address);
  }

  /** Clears every timer for good: the pool is closed. */
  close(): void {
    this.closed = true;
    this.stopSweeper();
    for (const timer of this.holds.values()) clearTimeout(timer);
    this.holds.clear();
  }
}
