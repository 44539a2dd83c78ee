interface Waiter<T> {
  predicate: (message: T) => boolean;
  resolve: (message: T) => void;
}

/**
 * Every message a test client has received, kept so a test can look back as well as wait for one still to come.
 * Shared by the editor's websocket client and the MQTT subscriber.
 */
export class ReceivedMessages<T extends { topic: string }> {
  readonly all: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  constructor(private readonly source: string) {}

  push(message: T): void {
    this.all.push(message);
    for (const waiter of [...this.waiters]) {
      if (!waiter.predicate(message)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(message);
    }
  }

  /** The first message, already received or still to come, that satisfies `predicate`. */
  waitFor(predicate: (message: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
    const seen = this.all.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.next(predicate, what, timeoutMs);
  }

  /** The first message from now on that satisfies `predicate`. */
  next(predicate: (message: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const topics = [...new Set(this.all.map((m) => m.topic))].join(", ");
        reject(new Error(`no ${this.source} message: ${what} within ${timeoutMs} ms (topics seen: ${topics})`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
