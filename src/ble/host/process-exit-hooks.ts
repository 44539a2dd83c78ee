/**
 * One set of process-level hooks for every adapter host: when this process exits or receives SIGINT/SIGTERM, the
 * host children are told to stop at once. The hooks are installed with the first host and removed with the last.
 *
 * They never call process.exit and never swallow a signal: if our listener is the only one for the signal (no
 * Node-RED, no other handler), it removes itself and re-sends the signal so the default action (termination)
 * happens as if we had never listened. With Node-RED's own handlers present, those carry on as usual.
 */

export interface StoppableHost {
  /** Synchronous: signal the child to stop and forget it (no restart). */
  stopNow(): void;
}

const hosts = new Set<StoppableHost>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type HookedSignal = (typeof SIGNALS)[number];

function stopAll(): void {
  for (const host of [...hosts]) host.stopNow();
}

const signalHandlers: Record<HookedSignal, () => void> = {
  SIGINT: () => onSignal("SIGINT"),
  SIGTERM: () => onSignal("SIGTERM"),
};

function onSignal(signal: HookedSignal): void {
  const onlyListener = process.listenerCount(signal) === 1;
  stopAll();
  uninstall();
  if (onlyListener) process.kill(process.pid, signal);
}

function install(): void {
  process.on("exit", stopAll);
  for (const signal of SIGNALS) process.on(signal, signalHandlers[signal]);
}

function uninstall(): void {
  process.off("exit", stopAll);
  for (const signal of SIGNALS) process.off(signal, signalHandlers[signal]);
}

export function registerHost(host: StoppableHost): void {
  if (hosts.has(host)) return;
  hosts.add(host);
  if (hosts.size === 1) install();
}

export function unregisterHost(host: StoppableHost): void {
  if (!hosts.delete(host)) return;
  if (hosts.size === 0) uninstall();
}
