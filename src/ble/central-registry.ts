import { type AdapterConfig, adapterKey } from "./adapter-config";
import { createBindingsForAdapter } from "./bindings-for-adapter";
import { BleCentral, type CentralOptions } from "./ble-central";
import type { NobleBindings } from "./noble-bindings";

/** Bindings that hold a process (the adapter host) and can let go of it while nobody uses the adapter. */
interface SuspendableBindings {
  suspend(): Promise<void>;
  resume(): void;
}

/** Bindings that can be shut down for good: their timers, batteries and any adapter host process. */
interface DisposableBindings {
  dispose(): void | Promise<void>;
}

interface RegisteredCentral {
  bindings: NobleBindings;
  central: BleCentral;
  /** Pools using this adapter now. */
  users: number;
}

/** A pool's hold on a shared central; release it when the pool closes. */
export interface CentralLease {
  central: BleCentral;
  release(): Promise<void>;
}

/**
 * One central per adapter key while pools use it. A real adapter's central (HCI) stays for the life of the process:
 * noble has no teardown and the HCI bindings open their socket once; when its last pool closes only the adapter host
 * child is stopped, and the next pool starts it again. A simulator's central is disposed with its last pool (its
 * timers and batteries, and the adapter host it may run in): settings that are no longer used leave nothing behind.
 */
const centrals = new Map<string, RegisteredCentral>();

/** Takes a hold on the shared central of an adapter, created on first use (options apply only then). */
export function acquireCentral(config: AdapterConfig, options: CentralOptions = {}): CentralLease {
  const key = adapterKey(config);
  let registered = centrals.get(key);
  if (!registered) {
    const bindings = createBindingsForAdapter(config);
    registered = { bindings, central: new BleCentral(bindings, options), users: 0 };
    centrals.set(key, registered);
  }
  const entry = registered;
  entry.users++;
  if (entry.users === 1) suspendable(entry.bindings)?.resume();
  let released = false;
  return {
    central: entry.central,
    release: async () => {
      if (released) return;
      released = true;
      entry.users--;
      if (entry.users > 0) return;
      if (config.transport === "hci") {
        await suspendable(entry.bindings)?.suspend();
        return;
      }
      centrals.delete(key);
      await disposable(entry.bindings)?.dispose();
    },
  };
}

/** The bindings behind a registered central (the simulator's controls, for the demo and tests). */
export function bindingsFor(config: AdapterConfig): NobleBindings | undefined {
  return centrals.get(adapterKey(config))?.bindings;
}

function suspendable(bindings: NobleBindings): SuspendableBindings | undefined {
  const candidate = bindings as Partial<SuspendableBindings>;
  return typeof candidate.suspend === "function" && typeof candidate.resume === "function"
    ? (candidate as SuspendableBindings)
    : undefined;
}

function disposable(bindings: NobleBindings): DisposableBindings | undefined {
  const candidate = bindings as Partial<DisposableBindings>;
  return typeof candidate.dispose === "function" ? (candidate as DisposableBindings) : undefined;
}
