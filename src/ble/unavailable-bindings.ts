import { EventEmitter } from "node:events";
import { BINDINGS_UNAVAILABLE_EVENT, type BindingsUnavailableEvent, type NobleBindings } from "./noble-bindings";

/**
 * Bindings for a radio this build cannot reach. They report it the way real bindings do (an "unsupported" state
 * plus the "unavailable" extension event with the fix), so the pool fails work with ADAPTER_UNAVAILABLE instead of
 * crashing, and every call noble might make is a harmless no-op.
 */
export class UnavailableBindings extends EventEmitter implements NobleBindings {
  constructor(private readonly message: string) {
    super();
  }

  init(): void {
    process.nextTick(() => {
      this.emit(BINDINGS_UNAVAILABLE_EVENT, { message: this.message } satisfies BindingsUnavailableEvent);
      this.emit("stateChange", "unsupported");
    });
  }

  startScanning(): void {}
  stopScanning(): void {}
  connect(): void {}
  cancelConnect(): void {}
  disconnect(): void {}
  updateRssi(): void {}
  discoverServices(): void {}
  discoverIncludedServices(): void {}
  discoverCharacteristics(): void {}
  read(): void {}
  write(): void {}
  broadcast(): void {}
  notify(): void {}
  discoverDescriptors(): void {}
  readValue(): void {}
  writeValue(): void {}
  readHandle(): void {}
  writeHandle(): void {}
}
