/**
 * One connect (scan-to-find + create connection + discovery) in flight per adapter, first come first served.
 * An HCI controller handles one LE Create Connection at a time and some refuse connects while scanning, so the
 * gate lives in the central: two pools on one adapter share it.
 */
export class ConnectGate {
  private busy = false;
  private readonly waiting: Array<{ grant: () => void }> = [];

  /** Runs `task` when the gate is free. A waiter whose signal aborts leaves the line with the signal's reason. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.releaseNext();
    }
  }

  /** Connects waiting for their turn (diagnostics). */
  get queued(): number {
    return this.waiting.length;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private releaseNext(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.busy = false;
  }
}
