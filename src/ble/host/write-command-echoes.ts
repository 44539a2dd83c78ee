/**
 * The "write" events of write commands (writes without response), which the adapter host keeps to itself.
 *
 * noble's HCI GATT layer emits "write" for a write command as soon as the command is queued (NOBLE-NOTES 1,
 * events): the event says nothing the caller did not know when it made the call. Forwarded over IPC it cost a message
 * each way per request, woke Node-RED for nothing between the request and its reply, and went out before the request
 * itself (noble writes the ACL packet a few microtasks after emitting it). So HostBindings emits it in the parent when
 * it hands the command to the child, and the child swallows noble's copy: one per command handed over, counted per
 * characteristic. A write request (with response) is confirmed by the peer and is still forwarded.
 */
export class WriteCommandEchoes {
  /** "peripheral service characteristic" -> echoes still to come from write commands handed to the bindings. */
  private readonly expected = new Map<string, number>();

  /** A write command for this characteristic goes to the bindings: its echo is not forwarded. */
  expect(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    const key = echoKey(peripheralUuid, serviceUuid, characteristicUuid);
    this.expected.set(key, (this.expected.get(key) ?? 0) + 1);
  }

  /** The bindings refused the command (it threw): its echo will not come. */
  withdraw(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    this.swallow(peripheralUuid, serviceUuid, characteristicUuid);
  }

  /** True for the echo of an expected write command, which is then counted off; false for anything else. */
  swallow(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): boolean {
    const key = echoKey(peripheralUuid, serviceUuid, characteristicUuid);
    const left = this.expected.get(key);
    if (left === undefined) return false;
    if (left > 1) this.expected.set(key, left - 1);
    else this.expected.delete(key);
    return true;
  }

  /** The peripheral's link began or ended: noble drops the commands it still had queued, so no echo follows. */
  forget(peripheralUuid: string): void {
    const prefix = `${peripheralUuid} `;
    for (const key of [...this.expected.keys()]) if (key.startsWith(prefix)) this.expected.delete(key);
  }
}

function echoKey(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): string {
  return `${peripheralUuid} ${serviceUuid} ${characteristicUuid}`;
}
