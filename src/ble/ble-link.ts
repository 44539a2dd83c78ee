import type { Characteristic, Peripheral } from "@abandonware/noble";
import { BmsError, errorMessage } from "../errors";
import { scopedOperation } from "./listener-scope";

export type DataHandler = (chunk: Uint8Array) => void;
export type CloseHandler = (reason: BmsError) => void;

export interface BleLinkParts {
  address: string;
  name: string | null;
  peripheral: Peripheral;
  notify: Characteristic;
  write: Characteristic;
  disconnectTimeoutMs: number;
  log?: (message: string) => void;
  /** The radio never confirmed our disconnect: what the host still holds for this link is unknown. */
  onDisconnectUnconfirmed?: (address: string) => void;
}

/**
 * One open GATT link to a BMS: bytes out on the write characteristic, bytes in from the notify characteristic,
 * and one close. Exactly one 'data' listener (on the characteristic object of this connection - noble creates new
 * objects on every discovery) and one 'disconnect' listener (on the peripheral, which noble reuses across
 * connections) exist while the link is open; both are removed when it closes, whichever side closed it.
 */
export class BleLink {
  readonly address: string;
  readonly name: string | null;
  private readonly peripheral: Peripheral;
  private readonly notifyCharacteristic: Characteristic;
  private readonly writeCharacteristic: Characteristic;
  private readonly writeWithoutResponse: boolean;
  private readonly disconnectTimeoutMs: number;
  private readonly log: (message: string) => void;
  private readonly onDisconnectUnconfirmed: (address: string) => void;
  private readonly dataHandlers = new Set<DataHandler>();
  private readonly closeHandlers = new Set<CloseHandler>();
  private open = true;
  private closing: Promise<void> | null = null;

  private readonly onNotification = (data: Buffer, isNotification?: boolean) => {
    // A plain read reply (isNotification false) is not a BMS answer; JBD answers only by notification.
    if (isNotification === false || !this.open) return;
    const chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (const handler of this.dataHandlers) handler(chunk);
  };

  private readonly onPeripheralDisconnect = (reason: unknown) => {
    this.finish(new BmsError("LINK_LOST", `the link to ${this.address} was lost (reason ${String(reason)})`));
  };

  constructor(parts: BleLinkParts) {
    this.address = parts.address;
    this.name = parts.name;
    this.peripheral = parts.peripheral;
    this.notifyCharacteristic = parts.notify;
    this.writeCharacteristic = parts.write;
    this.disconnectTimeoutMs = parts.disconnectTimeoutMs;
    this.log = parts.log ?? (() => {});
    this.onDisconnectUnconfirmed = parts.onDisconnectUnconfirmed ?? (() => {});
    // Old dongles only offer write-with-response (PROTOCOL 1.2); everything else gets the faster write command.
    this.writeWithoutResponse = (parts.write.properties ?? []).includes("writeWithoutResponse");
    this.notifyCharacteristic.on("data", this.onNotification);
    this.peripheral.on("disconnect", this.onPeripheralDisconnect);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Registers a handler for incoming notification chunks; returns its remover. */
  onData(handler: DataHandler): () => void {
    this.dataHandlers.add(handler);
    return () => this.dataHandlers.delete(handler);
  }

  /** Registers a handler called once when the link closes for any reason; returns its remover. */
  onClose(handler: CloseHandler): () => void {
    this.closeHandlers.add(handler);
    return () => this.closeHandlers.delete(handler);
  }

  /**
   * Sends one request. A write command (without response) is done once queued; a write request waits for the
   * ATT confirmation under our own timer, because noble never reports an ATT error for it (NOBLE-NOTES 2).
   */
  write(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    if (!this.open) return Promise.reject(new BmsError("LINK_LOST", `the link to ${this.address} is closed`));
    const data = Buffer.from(bytes);
    if (this.writeWithoutResponse) {
      this.writeCharacteristic.write(data, true);
      return Promise.resolve();
    }
    return scopedOperation<void>(
      timeoutMs,
      () => new BmsError("RESPONSE_TIMEOUT", `${this.address} did not confirm a write within ${timeoutMs} ms`),
      ({ scope, resolve, reject }) => {
        scope.on(this.writeCharacteristic, "write", () => resolve());
        scope.on(this.peripheral, "disconnect", () =>
          reject(new BmsError("LINK_LOST", `the link to ${this.address} was lost during a write`)),
        );
        this.writeCharacteristic.write(data, false);
      },
    );
  }

  /**
   * Disconnects and waits for noble to confirm, under our own timer. Guarded by our own state: noble's
   * disconnect on a link that is not connected never confirms, and the HCI bindings would disconnect handle 0.
   */
  close(reason: BmsError = new BmsError("LINK_LOST", "the link was closed")): Promise<void> {
    if (this.closing) return this.closing;
    if (!this.open) return Promise.resolve();
    const stillConnected = this.peripheral.state === "connected";
    this.finish(reason);
    if (!stillConnected) {
      this.closing = Promise.resolve();
      return this.closing;
    }
    this.log(`disconnecting ${this.address}`);
    this.closing = scopedOperation<void>(
      this.disconnectTimeoutMs,
      () => new BmsError("LINK_LOST", `${this.address} did not confirm the disconnect`),
      ({ scope, resolve }) => {
        scope.on(this.peripheral, "disconnect", () => resolve());
        this.peripheral.disconnect();
      },
    ).catch(() => {
      // The radio stays silent: the link is ours no longer either way, but noble still counts it as live (a vanished
      // peer, or a Disconnection Complete with an error status that noble ignores), with whatever it had in flight.
      this.log(`${this.address} did not confirm the disconnect within ${this.disconnectTimeoutMs} ms`);
      this.onDisconnectUnconfirmed(this.address);
    });
    return this.closing;
  }

  /**
   * Marks the link dead without talking to the radio (adapter powered off: every handle is gone already).
   * noble sends no disconnect then and would keep the peripheral "connected", refusing the next connect with
   * "Peripheral already connected"; we correct its record to what the adapter says.
   */
  abandon(reason: BmsError): void {
    if (!this.open) return;
    this.peripheral.state = "disconnected";
    this.finish(reason);
  }

  /**
   * Removes our listeners from noble's objects and tells the owners, once. Every close handler runs, whatever the
   * others do: one that throws is logged and must not keep the pool from its own close handling (its slot, its
   * state), nor escape into noble's event that brought the close.
   */
  private finish(reason: BmsError): void {
    if (!this.open) return;
    this.open = false;
    this.notifyCharacteristic.removeListener("data", this.onNotification);
    this.peripheral.removeListener("disconnect", this.onPeripheralDisconnect);
    this.log(`link ${this.address} closed: ${reason.code} ${reason.message}`);
    const handlers = [...this.closeHandlers];
    this.closeHandlers.clear();
    this.dataHandlers.clear();
    for (const handler of handlers) {
      try {
        handler(reason);
      } catch (error) {
        this.log(`a close handler of the link to ${this.address} failed: ${errorMessage(error)}`);
      }
    }
  }
}
