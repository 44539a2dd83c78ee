import type { NobleBindings } from "../../src/bindings/noble-bindings";

/**
 * Measures the link floor from the simulated radio itself: for every request written to a battery, the time from
 * the write to the last notification before the next write (or before the probe is read). That is the reply time
 * alone, with none of our stack in it. It watches the bindings, the boundary between noble and the radio, so it
 * sees exactly what a sniffer between host and BMS would.
 */
export class ReplyProbe {
  private readonly writeAt = new Map<string, number>();
  private readonly lastNotificationAt = new Map<string, number>();
  private completedMs = 0;
  private readonly onRead = (peripheralId: string, _s: string, _c: string, _d: Buffer, isNotification: boolean) => {
    if (isNotification) this.lastNotificationAt.set(peripheralId, Date.now());
  };
  private readonly restoreWrite: () => void;

  constructor(private readonly bindings: NobleBindings) {
    const original = bindings.write;
    const ownProperty = Object.hasOwn(bindings, "write");
    // An own property shadows the prototype method for this one bindings object; dispose() removes it.
    bindings.write = (peripheralId, serviceUuid, characteristicUuid, data, withoutResponse) => {
      this.closeReply(peripheralId);
      this.writeAt.set(peripheralId, Date.now());
      original.call(bindings, peripheralId, serviceUuid, characteristicUuid, data, withoutResponse);
    };
    this.restoreWrite = () => {
      if (ownProperty) bindings.write = original;
      else delete (bindings as Partial<Pick<NobleBindings, "write">>).write;
    };
    bindings.on("read", this.onRead);
  }

  /** Reply time (ms) of every request since the last call, summed: the floor under the poll that just ended. */
  takeReplyMs(): number {
    for (const id of [...this.writeAt.keys()]) this.closeReply(id);
    const total = this.completedMs;
    this.completedMs = 0;
    return total;
  }

  dispose(): void {
    this.restoreWrite();
    this.bindings.off("read", this.onRead);
  }

  private closeReply(peripheralId: string): void {
    const wroteAt = this.writeAt.get(peripheralId);
    if (wroteAt === undefined) return;
    const lastAt = this.lastNotificationAt.get(peripheralId);
    if (lastAt !== undefined && lastAt >= wroteAt) this.completedMs += lastAt - wroteAt;
    this.writeAt.delete(peripheralId);
  }
}
