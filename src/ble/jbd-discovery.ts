import type { Characteristic, Peripheral, Service } from "@abandonware/noble";
import { shortUuid } from "../bindings/noble-ids";
import { BmsError } from "../errors";
import { JBD_GATT_LAYOUTS, JBD_SERVICE_UUIDS } from "../protocol/gatt";
import { type ListenerScope, scopedOperation } from "./listener-scope";

/** The JBD service of a connected peripheral, with its two characteristics, subscribed to. */
export interface JbdCharacteristics {
  service: string;
  notify: Characteristic;
  write: Characteristic;
}

export interface DiscoveryOptions {
  address: string;
  peripheral: Peripheral;
  /** Budget for every step together; the steps time out with `timeoutError`. */
  timeoutMs: number;
  timeoutError: () => BmsError;
  signal?: AbortSignal | undefined;
  /** Ends a step when the adapter stops being usable (the central's watch on its adapter). */
  watchAdapter(scope: ListenerScope, reject: (error: unknown) => void): void;
}

/**
 * Link setup's discovery steps on a connected peripheral: the JBD service (either layout of PROTOCOL 1.1), its
 * notify and write characteristics, and the subscription to notifications. Each step runs under the shared budget
 * and ends early when the peripheral disconnects, the adapter goes or the signal aborts. NOT_A_JBD when the
 * peripheral has neither layout.
 */
export async function discoverJbd(options: DiscoveryOptions): Promise<JbdCharacteristics> {
  const { address, peripheral, timeoutError, signal } = options;
  const deadline = Date.now() + options.timeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  const step = <T>(start: (scope: ListenerScope, resolve: (value: T) => void, reject: (e: unknown) => void) => void) =>
    scopedOperation<T>(remaining(), timeoutError, ({ scope, resolve, reject }) => {
      scope.on(peripheral, "disconnect", () =>
        reject(new BmsError("CONNECT_FAILED", `${address} disconnected during service discovery`)),
      );
      options.watchAdapter(scope, reject);
      scope.onAbort(signal, reject);
      start(scope, resolve, reject);
    });

  const services = await step<Service[]>((scope, resolve) => {
    scope.on(peripheral, "servicesDiscover", (found: Service[]) => resolve(found));
    peripheral.discoverServices([...JBD_SERVICE_UUIDS]);
  });
  for (const layout of JBD_GATT_LAYOUTS) {
    const service = services.find((candidate) => shortUuid(candidate.uuid) === layout.service);
    if (!service) continue;
    const characteristics = await step<Characteristic[]>((scope, resolve) => {
      scope.on(service, "characteristicsDiscover", (found: Characteristic[]) => resolve(found));
      service.discoverCharacteristics([layout.notify, layout.write]);
    });
    const notify = characteristics.find((c) => shortUuid(c.uuid) === layout.notify);
    const write = characteristics.find((c) => shortUuid(c.uuid) === layout.write);
    if (!notify || !write) break;
    await step<void>((scope, resolve) => {
      scope.on(notify, "notify", () => resolve());
      notify.subscribe();
    });
    return { service: layout.service, notify, write };
  }
  throw new BmsError("NOT_A_JBD", `${address} has no JBD service (ff00/ff01/ff02 or fff0/fff1/fff2)`);
}
