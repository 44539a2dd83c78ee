import type { NobleBindings } from "../bindings/noble-bindings";
import { BleCentral } from "./ble-central";
import type { CentralOptions } from "./central-types";

/**
 * A radio a pool runs over, as whoever creates the pool chooses it (src/nodes: the simulator or the adapter host).
 * This folder never decides which bindings to build: it only shares one central per key among the pools.
 */
export interface Radio {
  /** One central (one noble instance over one bindings object) exists per key while pools use it. */
  readonly key: string;
  /** Builds the bindings, once per key, when the first pool needs them. */
  createBindings(): NobleBindings;
  /**
   * True for a real adapter: noble has no teardown and the HCI bindings open their socket once, so its central stays
   * for the life of the process, and when its last pool closes only its adapter host child is stopped (suspended).
   * False for a simulator: its central and bindings (timers, batteries, any adapter host) go with its last pool, so
   * settings nobody uses any more leave nothing behind.
   */
  readonly keptForProcess: boolean;
}

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
  /** Pools using this radio now. */
  users: number;
}

/** A pool's hold on a shared central; release it when the pool closes. */
export interface CentralLease {
  central: BleCentral;
  release(): Promise<void>;
}

const centrals = new Map<string, RegisteredCentral>();

/** Takes a hold on the shared central of a radio, created on first use (options apply only then). */
export function acquireCentral(radio: Radio, options: CentralOptions = {}): CentralLease {
  let registered = centrals.get(radio.key);
  if (!registered) {
    const bindings = radio.createBindings();
    registered = { bindings, central: new BleCentral(bindings, options), users: 0 };
    centrals.set(radio.key, registered);
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
      if (radio.keptForProcess) {
        await suspendable(entry.bindings)?.suspend();
        return;
      }
      centrals.delete(radio.key);
      await disposable(entry.bindings)?.dispose();
    },
  };
}

/** The bindings behind a registered central, by radio key (the simulator's controls, for the demo and tests). */
export function bindingsFor(key: string): NobleBindings | undefined {
  return centrals.get(key)?.bindings;
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
