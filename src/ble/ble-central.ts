import { EventEmitter } from "node:events";
import type { Peripheral } from "@abandonware/noble";

import withBindings = require("@abandonware/noble/with-bindings");

import {
  type AdapterState,
  BINDINGS_UNAVAILABLE_EVENT,
  type BindingsUnavailableEvent,
  type NobleBindings,
  restartableBindings,
} from "../bindings/noble-bindings";
import { peripheralIdOf } from "../bindings/noble-ids";
import { BmsError, errorMessage } from "../errors";
import { FifoLock } from "../fifo-lock";
import { JBD_SERVICE_UUIDS } from "../protocol/gatt";
import { BleLink } from "./ble-link";
import type {
  CentralInspection,
  CentralListenerCounts,
  CentralOptions,
  CentralStateChange,
  ConnectOptions,
  ScannedDevice,
} from "./central-types";
import { discoverJbd } from "./jbd-discovery";
import { recogniseJbd } from "./jbd-recognition";
import { ListenerScope, scopedOperation } from "./listener-scope";
import { OrphanGuards } from "./orphan-guards";

/** The part of a noble instance we use (the module typings describe only the default singleton). */
interface NobleInstance extends EventEmitter {
  readonly state: AdapterState;
  /** noble's registry of the Peripheral objects it has created (no public accessor); read by leak checks only. */
  readonly _peripherals: Record<string, EventEmitter>;
  startScanning(serviceUuids?: string[], allowDuplicates?: boolean): void;
  stopScanning(): void;
}

const DEFAULT_DISCONNECT_TIMEOUT_MS = 3_000;
/** stopScanning is confirmed by a scanStop event; a radio that never confirms must not hold up a connect. */
const SCAN_STOP_TIMEOUT_MS = 1_000;

/**
 * One BLE central per adapter, shared for the life of the process (noble has no teardown). It owns the noble
 * instance over the given bindings, the adapter state, and the connect gate; it finds batteries by a short
 * service-filtered scan and turns a connected, discovered, subscribed peripheral into a BleLink.
 */
export class BleCentral extends EventEmitter implements CentralInspection {
  private readonly noble: NobleInstance;
  private readonly bindings: NobleBindings;
  /**
   * One connect (scan-to-find + create connection + discovery) or scan in flight per adapter, first come first
   * served: an HCI controller handles one LE Create Connection at a time and some refuse connects while scanning, so
   * the gate lives here and every pool on the adapter shares it.
   */
  private readonly gate = new FifoLock();
  private readonly links = new Set<BleLink>();
  private readonly orphans: OrphanGuards;
  private readonly disconnectTimeoutMs: number;
  private readonly log: (message: string) => void;
  private unavailable: BmsError | undefined;
  private currentState: AdapterState = "unknown";

  constructor(bindings: NobleBindings, options: CentralOptions = {}) {
    super();
    this.bindings = bindings;
    this.disconnectTimeoutMs = options.disconnectTimeoutMs ?? DEFAULT_DISCONNECT_TIMEOUT_MS;
    this.log = options.log ?? (() => {});
    this.orphans = new OrphanGuards({
      timeoutMs: this.disconnectTimeoutMs,
      log: this.log,
      distrust: (reason) => this.distrustAdapter(reason),
      disconnect: (peripheral) => this.disconnectQuietly(peripheral),
    });
    this.noble = withBindings(bindings) as unknown as NobleInstance;
    // noble inits its bindings lazily on the first stateChange listener; this one lives as long as the central.
    this.noble.on("stateChange", (state: AdapterState) => this.onStateChange(state));
    this.bindings.on(BINDINGS_UNAVAILABLE_EVENT, (event: BindingsUnavailableEvent) => this.onUnavailable(event));
  }

  get state(): AdapterState {
    return this.currentState;
  }

  /** Set while the bindings report that no radio can be reached at all, with the fix in the message. */
  get unavailableError(): BmsError | undefined {
    return this.unavailable;
  }

  /** Open links across every pool on this adapter. */
  get openLinks(): number {
    return this.links.size;
  }

  /**
   * Listener counts on noble, the bindings, this central and noble's peripheral objects (which noble keeps for the
   * life of the process, so a listener a closed link forgets there is never freed), for leak checks. The orphan
   * guards are counted on their own, not among the peripherals' listeners.
   */
  listenerCounts(): CentralListenerCounts {
    const onPeripherals = Object.values(this.noble._peripherals).reduce((sum, p) => sum + listenersOn(p), 0);
    return {
      noble: listenersOn(this.noble),
      bindings: listenersOn(this.bindings),
      central: listenersOn(this),
      peripherals: onPeripherals - this.orphans.size,
      orphanGuards: this.orphans.size,
    };
  }

  /**
   * Finds, connects, discovers and subscribes, inside the adapter's connect gate. Failures are BmsErrors:
   * ADAPTER_UNAVAILABLE, ADAPTER_OFF, NOT_FOUND, CONNECT_TIMEOUT, CONNECT_FAILED, NOT_A_JBD.
   */
  connect(address: string, options: ConnectOptions): Promise<BleLink> {
    return this.gate.run(async () => {
      options.onPhase?.("searching");
      await this.waitUntilUsable(options.scanTimeoutMs, options.signal);
      const peripheral = await this.find(address, options.scanTimeoutMs, options.signal);
      options.onPhase?.("connecting");
      return this.connectFound(address, peripheral, options.timeoutMs, options.signal);
    }, options.signal);
  }

  /**
   * The address picker's bounded scan, at its turn at the gate. Unfiltered, unlike finding a battery: renamed packs
   * and modules that leave ff00 out show up too (noble keeps an object per device heard, NOBLE-NOTES 7: keep it short).
   */
  scan(durationMs: number, signal?: AbortSignal): Promise<ScannedDevice[]> {
    return this.gate.run(async () => {
      await this.waitUntilUsable(durationMs, signal);
      const seen = new Map<string, ScannedDevice>();
      const scope = new ListenerScope();
      try {
        await new Promise<void>((resolve, reject) => {
          scope.on(this.noble, "discover", (peripheral: Peripheral) => {
            const address = peripheral.address.toUpperCase();
            const { localName: name = null, serviceUuids = [] } = peripheral.advertisement ?? {};
            const recognised = recogniseJbd({ address, name, serviceUuids });
            const rssi = typeof peripheral.rssi === "number" ? peripheral.rssi : null;
            if (recognised.length > 0) seen.set(address, { address, name, rssi, recognised });
          });
          this.watchAdapter(scope, reject);
          scope.onAbort(signal, reject);
          scope.timer(durationMs, resolve);
          this.noble.startScanning([], true);
        });
      } finally {
        scope.dispose();
        await this.stopScanning();
      }
      return [...seen.values()];
    }, signal);
  }

  private onStateChange(state: AdapterState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    if (state === "poweredOn") this.unavailable = undefined;
    this.log(`adapter ${state}`);
    if (state !== "poweredOn") {
      // noble sends no disconnect for live handles on power-off (NOBLE-NOTES 2.5): every link is dead now.
      const reason = this.adapterError();
      for (const link of [...this.links]) link.abandon(reason);
    }
    this.emit("state", { state, error: this.unavailable } satisfies CentralStateChange);
  }

  private onUnavailable(event: BindingsUnavailableEvent): void {
    this.unavailable = new BmsError("ADAPTER_UNAVAILABLE", event.message);
    this.log(`adapter unavailable: ${event.message}`);
    for (const link of [...this.links]) link.abandon(this.unavailable);
    this.emit("state", { state: this.currentState, error: this.unavailable } satisfies CentralStateChange);
  }

  private adapterError(): BmsError {
    if (this.unavailable) return this.unavailable;
    if (this.currentState === "unauthorized") {
      return new BmsError(
        "ADAPTER_UNAVAILABLE",
        "no permission to use the Bluetooth adapter: give Node.js the cap_net_raw capability (see the README)",
      );
    }
    return new BmsError("ADAPTER_OFF", `the Bluetooth adapter is ${this.currentState}`);
  }

  /** Any adapter state change away from poweredOn ends the operation with the adapter's error. */
  private watchAdapter(scope: ListenerScope, reject: (error: unknown) => void): void {
    scope.on(this.noble, "stateChange", (state: AdapterState) => {
      if (state !== "poweredOn") reject(this.adapterError());
    });
    scope.on(this.bindings, BINDINGS_UNAVAILABLE_EVENT, () => reject(this.adapterError()));
  }

  /**
   * Waits for poweredOn while the adapter is still starting (unknown/resetting); a definite off state or an
   * unavailable adapter fails at once.
   */
  private waitUntilUsable(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    // Reading noble.state initialises the bindings on first use.
    const state = this.noble.state;
    if (state !== this.currentState && state === "poweredOn") this.currentState = state;
    if (this.unavailable) return Promise.reject(this.unavailable);
    if (this.currentState === "poweredOn") return Promise.resolve();
    if (this.currentState !== "unknown" && this.currentState !== "resetting") {
      return Promise.reject(this.adapterError());
    }
    return scopedOperation<void>(
      timeoutMs,
      () => new BmsError("ADAPTER_OFF", `the Bluetooth adapter did not power on within ${timeoutMs} ms`),
      ({ scope, resolve, reject }) => {
        scope.on(this, "state", (change: CentralStateChange) => {
          if (change.error) reject(change.error);
          else if (change.state === "poweredOn") resolve();
          else if (change.state !== "unknown" && change.state !== "resetting") reject(this.adapterError());
        });
        scope.onAbort(signal, reject);
      },
    );
  }

  /** Scans with the JBD service filter until the address advertises (NOT_FOUND after the timeout). */
  private async find(address: string, timeoutMs: number, signal?: AbortSignal): Promise<Peripheral> {
    const id = peripheralIdOf(address);
    try {
      return await scopedOperation<Peripheral>(
        timeoutMs,
        () =>
          new BmsError(
            "NOT_FOUND",
            `${address} is not advertising (out of range, asleep, or held by another central such as the phone app)`,
          ),
        ({ scope, resolve, reject }) => {
          scope.on(this.noble, "discover", (peripheral: Peripheral) => {
            if (peripheral.id === id || peripheral.address?.toUpperCase() === address) resolve(peripheral);
          });
          this.watchAdapter(scope, reject);
          scope.onAbort(signal, reject);
          this.noble.startScanning([...JBD_SERVICE_UUIDS], false);
        },
      );
    } finally {
      // Scanning stops before connecting: some controllers refuse or drop a connect while a scan runs.
      await this.stopScanning();
    }
  }

  private stopScanning(): Promise<void> {
    return scopedOperation<void>(
      SCAN_STOP_TIMEOUT_MS,
      () => new Error("scan stop not confirmed"),
      ({ scope, resolve }) => {
        scope.on(this.noble, "scanStop", () => resolve());
        if (this.currentState !== "poweredOn") resolve();
        else this.noble.stopScanning();
      },
    ).catch(() => this.log("the adapter did not confirm the end of the scan"));
  }

  private async connectFound(
    address: string,
    peripheral: Peripheral,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<BleLink> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    const timeoutError = () => new BmsError("CONNECT_TIMEOUT", `${address} did not connect within ${timeoutMs} ms`);
    // An abort during the scan's stop has no listener to reach: it must not start a connect the gate stops guarding.
    signal?.throwIfAborted();
    this.orphans.drop(peripheral.id);
    if (peripheral.state === "connecting" || peripheral.state === "error") {
      this.log(`${address}: peripheral left in state ${peripheral.state} by an earlier attempt; connecting afresh`);
    }

    await scopedOperation<void>(
      remaining(),
      timeoutError,
      ({ scope, resolve, reject }) => {
        scope.on(peripheral, "connect", (error: unknown) => {
          if (error) reject(new BmsError("CONNECT_FAILED", `${address}: ${errorMessage(error)}`, { cause: error }));
          else resolve();
        });
        this.watchAdapter(scope, reject);
        scope.onAbort(signal, (reason) => {
          reject(reason);
          this.orphans.abandon(address, peripheral);
        });
        peripheral.connect();
      },
      () => this.orphans.abandon(address, peripheral),
    );

    try {
      const layout = await discoverJbd({
        address,
        peripheral,
        timeoutMs: remaining(),
        timeoutError,
        signal,
        watchAdapter: (scope, reject) => this.watchAdapter(scope, reject),
      });
      const link = new BleLink({
        address,
        name: peripheral.advertisement?.localName ?? null,
        peripheral,
        notify: layout.notify,
        write: layout.write,
        disconnectTimeoutMs: this.disconnectTimeoutMs,
        log: this.log,
        onDisconnectUnconfirmed: (unconfirmed) =>
          this.distrustAdapter(`${unconfirmed} never confirmed the disconnect (noble still counts the link as live)`),
      });
      this.links.add(link);
      link.onClose(() => this.links.delete(link));
      this.log(`link ${address} open (service ${layout.service})`);
      return link;
    } catch (error) {
      this.disconnectQuietly(peripheral);
      if (error instanceof BmsError && error.code === "CONNECT_TIMEOUT") {
        // The link came up but discovery or subscribe never finished: noble's HCI layer holds something it will
        // never send (ACL credits taken by a dead link), and every later connect would hang the same way.
        this.distrustAdapter(`${address} connected but did not finish discovery within ${timeoutMs} ms`);
      }
      throw error;
    }
  }

  /**
   * noble's record of the controller no longer matches the controller: start the bindings afresh where they can be
   * (the adapter host restarts its child, the simulator in this process starts afresh; every link is reported lost
   * and the pool reconnects). Bindings without that ability keep going as before.
   */
  private distrustAdapter(reason: string): void {
    const restartable = restartableBindings(this.bindings);
    if (!restartable) return;
    this.log(`restarting the adapter: ${reason}`);
    restartable.restartAdapter(reason);
  }

  /** Disconnects a peripheral that never became a link; only when noble believes it is connected (see BleLink). */
  private disconnectQuietly(peripheral: Peripheral): void {
    if (peripheral.state === "connected") peripheral.disconnect();
  }
}

function listenersOn(emitter: EventEmitter): number {
  return emitter.eventNames().reduce((sum, name) => sum + emitter.listenerCount(name), 0);
}
