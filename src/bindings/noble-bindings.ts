import type { EventEmitter } from "node:events";

/**
 * The bindings interface that `@abandonware/noble/with-bindings` drives (NOBLE-NOTES section 1): the contract
 * between noble (which src/ble drives) and a radio. The simulator (src/sim) implements it in-process, and the adapter
 * host's IPC proxy (src/ble/host) implements it by forwarding to a child process, so every argument and event payload
 * must stay plain data (strings, numbers, booleans, arrays, objects, Buffers). Neither side knows the other: both know
 * only this folder.
 *
 * Conventions copied from noble's HCI bindings (see noble-ids.ts): a peripheral id is the address lower-cased without
 * colons; 16-bit UUIDs are 4 lower-case hex digits (`"ff00"`); 128-bit UUIDs are 32 lower-case hex digits.
 */
export interface NobleBindings extends EventEmitter {
  init(): void;
  /** @stoprocent/noble calls start() and stop() instead of init(); implementing both keeps that door open. */
  start?(): void;
  stop?(): void;
  setScanParameters?(interval: number, window: number): void;
  startScanning(serviceUuids: string[] | undefined, allowDuplicates: boolean): void;
  stopScanning(): void;
  reset?(): void;
  connect(peripheralUuid: string, parameters?: unknown): void;
  cancelConnect(peripheralUuid: string, parameters?: unknown): void;
  disconnect(peripheralUuid: string): void;
  updateRssi(peripheralUuid: string): void;
  discoverServices(peripheralUuid: string, uuids: string[]): void;
  discoverIncludedServices(peripheralUuid: string, serviceUuid: string, serviceUuids: string[]): void;
  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids: string[]): void;
  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void;
  write(
    peripheralUuid: string,
    serviceUuid: string,
    characteristicUuid: string,
    data: Buffer,
    withoutResponse: boolean,
  ): void;
  broadcast(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, broadcast: boolean): void;
  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, notify: boolean): void;
  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void;
  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void;
  writeValue(
    peripheralUuid: string,
    serviceUuid: string,
    characteristicUuid: string,
    descriptorUuid: string,
    data: Buffer,
  ): void;
  readHandle(peripheralUuid: string, handle: number): void;
  writeHandle(peripheralUuid: string, handle: number, data: Buffer, withoutResponse: boolean): void;
}

/**
 * The adapter states bindings report with `stateChange`, as noble names them. Anything but poweredOn means no link
 * can exist.
 */
export type AdapterState = "unknown" | "resetting" | "unsupported" | "unauthorized" | "poweredOff" | "poweredOn";

/** Names of the bindings methods noble may call, for proxies that forward calls generically. */
export const BINDINGS_METHODS = [
  "init",
  "start",
  "stop",
  "setScanParameters",
  "startScanning",
  "stopScanning",
  "reset",
  "connect",
  "cancelConnect",
  "disconnect",
  "updateRssi",
  "discoverServices",
  "discoverIncludedServices",
  "discoverCharacteristics",
  "read",
  "write",
  "broadcast",
  "notify",
  "discoverDescriptors",
  "readValue",
  "writeValue",
  "readHandle",
  "writeHandle",
] as const;

/** Events noble listens for on its bindings. */
export const BINDINGS_EVENTS = [
  "stateChange",
  "addressChange",
  "scanParametersSet",
  "scanStart",
  "scanStop",
  "discover",
  "connect",
  "disconnect",
  "rssiUpdate",
  "servicesDiscover",
  "servicesDiscovered",
  "includedServicesDiscover",
  "characteristicsDiscover",
  "characteristicsDiscovered",
  "read",
  "write",
  "broadcast",
  "notify",
  "descriptorsDiscover",
  "valueRead",
  "valueWrite",
  "handleRead",
  "handleWrite",
  "handleNotify",
  "onMtu",
] as const;

/**
 * Extension event, not part of noble: bindings that cannot reach a radio at all (native HCI binding missing, no
 * cap_net_raw, unsupported platform, adapter held by bluetoothd) emit `"unavailable"` with a message that says
 * how to fix it, next to a `stateChange` to a non-poweredOn state. noble ignores it; our central listens for it on
 * the bindings object and turns it into ADAPTER_UNAVAILABLE. When the radio comes back the bindings emit
 * `stateChange("poweredOn")` as usual.
 */
export interface BindingsUnavailableEvent {
  message: string;
}
export const BINDINGS_UNAVAILABLE_EVENT = "unavailable";

/**
 * Extension, not part of noble: bindings whose HCI state can be started afresh. The central asks for it when noble's
 * record of the controller can no longer be trusted (a disconnect the controller never confirmed, a connect that
 * timed out after the link came up, a connect cancel that was never answered): noble 1.9.2 then keeps a dead
 * handle's ACL credit or a pending connect for ever, and every later connect of that adapter hangs. The adapter host
 * does it by replacing its child (a fresh HCI socket and noble); every link is reported lost, as on any restart.
 */
export interface RestartableBindings {
  restartAdapter(reason: string): void;
}

export function restartableBindings(bindings: NobleBindings): RestartableBindings | undefined {
  const candidate = bindings as Partial<RestartableBindings>;
  return typeof candidate.restartAdapter === "function" ? (candidate as RestartableBindings) : undefined;
}
