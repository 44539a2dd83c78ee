import type { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";

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

/**
 * True while the process is still running. A child whose parent died is reaped by init, which in a container
 * can take a while; until then it is a zombie (state Z in /proc/<pid>/stat): exited, but still visible to kill().
 */
export function processRunning(pid: number): boolean {
  if (!processExists(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
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

/** Bounds any await on a real child process by the safety timeout, so a broken host fails instead of hanging. */
export function withinSafetyTimeout<T>(promise: Promise<T>, what: string, timeoutMs = SAFETY_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = realSetTimeout(() => reject(new Error(`${what}: nothing within ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        realClearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        realClearTimeout(timer);
        reject(error);
      },
    );
  });
}
