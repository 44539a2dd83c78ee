import { type AdapterConfig, adapterKey } from "./adapter-config";
import { createBindingsForAdapter } from "./bindings-for-adapter";
import { BleCentral, type CentralOptions } from "./ble-central";
import type { NobleBindings } from "./noble-bindings";

interface RegisteredCentral {
  bindings: NobleBindings;
  central: BleCentral;
}

/**
 * One central per adapter key for the life of the process: noble has no teardown, and its HCI bindings open
 * their socket once. Pools come and go with redeploys; the central they share stays.
 */
const centrals = new Map<string, RegisteredCentral>();

/** The shared central of an adapter, created on first use. Options apply only when it is created. */
export function centralFor(config: AdapterConfig, options: CentralOptions = {}): BleCentral {
  const key = adapterKey(config);
  let registered = centrals.get(key);
  if (!registered) {
    const bindings = createBindingsForAdapter(config);
    registered = { bindings, central: new BleCentral(bindings, options) };
    centrals.set(key, registered);
  }
  return registered.central;
}

/** The bindings behind a registered central (the simulator's controls, for the demo and tests). */
export function bindingsFor(config: AdapterConfig): NobleBindings | undefined {
  return centrals.get(adapterKey(config))?.bindings;
}
