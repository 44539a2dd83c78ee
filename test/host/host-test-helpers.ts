import type { EventEmitter } from "node:events";

// Captured before any test installs a fake clock: the safety timeouts below must run on real time.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** Generous: real child processes start in well under a second, but CI machines can be slow and busy. */
export const SAFETY_TIMEOUT_MS = 20_000;

/** Resolves with the arguments of the next `name` event that passes `accept`; rejects after the safety timeout. */
export function nextEvent<T extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  name: string,
  accept: (...args: T) => boolean = () => true,
  timeoutMs = SAFETY_TIMEOUT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as T))) return;
      emitter.off(name, listener);
      realClearTimeout(timer);
      resolve(args as T);
    };
    const timer = realSetTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`no "${name}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(name, listener);
  });
}

/** True while a process with this id exists (signal 0 only checks; ESRCH means it is gone). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** The process-level listeners the adapter host may add, to check none is left behind. */
export function processHookCounts(): Record<string, number> {
  return {
    exit: process.listenerCount("exit"),
    SIGINT: process.listenerCount("SIGINT"),
    SIGTERM: process.listenerCount("SIGTERM"),
  };
}
