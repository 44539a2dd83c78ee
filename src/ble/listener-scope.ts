import type { EventEmitter } from "node:events";

type Listener = (...args: never[]) => void;

/**
 * Every listener and timer one operation adds, removed together by `dispose()` (the idea of Home Assistant's
 * ClientEvents). Code that registers through a scope cannot leak a listener: the scope is disposed when the
 * operation settles, whichever way it ends.
 */
export class ListenerScope {
  private readonly removers: Array<() => void> = [];
  private disposed = false;

  on(emitter: EventEmitter, event: string, listener: Listener): void {
    if (this.disposed) return;
    emitter.on(event, listener as (...args: unknown[]) => void);
    this.removers.push(() => emitter.removeListener(event, listener as (...args: unknown[]) => void));
  }

  timer(ms: number, callback: () => void): void {
    if (this.disposed) return;
    const handle = setTimeout(callback, ms);
    this.removers.push(() => clearTimeout(handle));
  }

  /** An abort signal that ends the operation; the listener is removed with the scope. */
  onAbort(signal: AbortSignal | undefined, callback: (reason: unknown) => void): void {
    if (!signal || this.disposed) return;
    if (signal.aborted) {
      callback(signal.reason);
      return;
    }
    const listener = () => callback(signal.reason);
    signal.addEventListener("abort", listener, { once: true });
    this.removers.push(() => signal.removeEventListener("abort", listener));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const remove of this.removers.splice(0)) remove();
  }
}

export interface ScopedControls<T> {
  scope: ListenerScope;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Runs one noble call under our own timer. `start` registers its listeners on the scope and kicks the call off;
 * the first of resolve, reject or the timeout wins, the scope (timer and listeners) is disposed at once, and any
 * later callback from the abandoned attempt finds its listener gone or is ignored. `onTimeout` runs after the
 * scope is gone, so clean-up calls it makes (cancelConnect emits `connect` synchronously) reach no listener of ours.
 */
export function scopedOperation<T>(
  timeoutMs: number,
  makeTimeoutError: () => Error,
  start: (controls: ScopedControls<T>) => void,
  onTimeout?: () => void,
): Promise<T> {
  return new Promise<T>((outerResolve, outerReject) => {
    const scope = new ListenerScope();
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      scope.dispose();
      finish();
    };
    const controls: ScopedControls<T> = {
      scope,
      resolve: (value) => settle(() => outerResolve(value)),
      reject: (error) => settle(() => outerReject(error)),
    };
    scope.timer(timeoutMs, () =>
      settle(() => {
        outerReject(makeTimeoutError());
        onTimeout?.();
      }),
    );
    try {
      start(controls);
    } catch (error) {
      controls.reject(error);
    }
  });
}
