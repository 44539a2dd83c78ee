import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as net from "node:net";
import { H4_COMMAND, H4_EVENT, H4Framer } from "./h4-framer";
import { EMULATION_SERVER_ENV } from "./socket-injection";

/**
 * A userland stand-in for `@abandonware/bluetooth-hci-socket` (noble's and bleno's only way to the kernel): the
 * same class shape, but the "device" is a btvirt controller reached over a unix socket instead of a raw HCI socket.
 * socket-injection.ts makes `require("@abandonware/bluetooth-hci-socket")` resolve here; noble's hci.js, gap.js,
 * gatt.js and acl-stream.js above it run unchanged.
 *
 * What the kernel would do in raw mode, done here: the controller is reset and initialised when the socket binds
 * (HCI_Reset, its Command Complete swallowed), so isDevUp() is true at once; the socket filter drops packet types and
 * events the host did not ask for; a bound socket whose device went away stays dead (a replugged adapter is a new
 * device that only a new socket reaches): writes then fail with ENETDOWN and isDevUp() is false for good.
 */

const RESET_COMMAND = Buffer.from([H4_COMMAND, 0x03, 0x0c, 0x00]);
const EVENT_COMMAND_COMPLETE = 0x0e;
const EVENT_COMMAND_STATUS = 0x0f;
const OPCODE_RESET = 0x0c03;

interface SocketFilter {
  typeMask: number;
  eventMask: [number, number];
  opcode: number;
}

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

class UserlandHciSocket extends EventEmitter {
  private connection: net.Socket | undefined;
  private readonly framer = new H4Framer();
  private filter: SocketFilter | undefined;
  private deviceUp = false;
  private awaitingResetComplete = false;
  private running = false;
  /** Packets that arrived between bind and start(): the kernel queues them on the socket too. */
  private readonly backlog: Buffer[] = [];

  bindRaw(devId?: number): number {
    return this.bind(devId);
  }

  /** User channel: the same controller, without the kernel's reset (noble and bleno send their own). */
  bindUser(devId?: number): number {
    return this.bind(devId, false);
  }

  /** The management channel (bleno opens one for pairing keys); nothing reaches it here. */
  bindControl(): void {}

  isDevUp(): boolean {
    return this.deviceUp;
  }

  getDeviceList(): Array<{ devId: number; devUp: boolean; idVendor: null; idProduct: null; busNumber: null }> {
    return [{ devId: 0, devUp: this.deviceUp, idVendor: null, idProduct: null, busNumber: null }];
  }

  setFilter(filter: Buffer): void {
    this.filter = {
      typeMask: filter.readUInt32LE(0),
      eventMask: [filter.readUInt32LE(4), filter.readUInt32LE(8)],
      opcode: filter.readUInt16LE(12),
    };
  }

  start(): void {
    this.running = true;
    for (const packet of this.backlog.splice(0)) this.deliver(packet);
  }

  stop(): void {
    this.running = false;
  }

  write(data: Buffer): void {
    if (this.connection === undefined || !this.deviceUp) {
      process.nextTick(() => this.emit("error", errnoError("ENETDOWN", "Network is down")));
      return;
    }
    this.connection.write(data);
  }

  private bind(devId: number | undefined, reset = true): number {
    const server = process.env[EMULATION_SERVER_ENV];
    if (server === undefined || !fs.existsSync(server)) {
      throw errnoError("ENODEV", `No such device (emulated hci${devId ?? 0}: no controller at ${server ?? "-"})`);
    }
    const connection = net.createConnection(server);
    connection.setNoDelay?.(true);
    this.connection = connection;
    this.deviceUp = true;
    connection.on("data", (chunk: Buffer) => {
      for (const packet of this.framer.push(chunk)) this.onPacket(packet);
    });
    connection.on("error", () => undefined); // "close" follows and says the same
    connection.on("close", () => {
      this.deviceUp = false;
      this.connection = undefined;
    });
    if (reset) {
      this.awaitingResetComplete = true;
      connection.write(RESET_COMMAND);
    }
    return devId ?? 0;
  }

  private onPacket(packet: Buffer): void {
    if (this.awaitingResetComplete && isCommandComplete(packet, OPCODE_RESET)) {
      this.awaitingResetComplete = false;
      return;
    }
    if (this.isFiltered(packet)) return;
    if (this.running) this.deliver(packet);
    else this.backlog.push(packet);
  }

  private deliver(packet: Buffer): void {
    this.emit("data", packet);
  }

  /** The kernel's raw-socket filter (net/bluetooth/hci_sock.c, is_filtered_packet). */
  private isFiltered(packet: Buffer): boolean {
    const filter = this.filter;
    if (filter === undefined) return false;
    const type = packet[0] as number;
    if ((filter.typeMask & (1 << (type & 31))) === 0) return true;
    if (type !== H4_EVENT) return false;
    const event = packet[1] as number;
    const word = filter.eventMask[event >> 5] as number;
    if ((word & (1 << (event & 31))) === 0) return true;
    if (filter.opcode === 0) return false;
    if (event === EVENT_COMMAND_COMPLETE) return packet.readUInt16LE(4) !== filter.opcode;
    if (event === EVENT_COMMAND_STATUS) return packet.readUInt16LE(5) !== filter.opcode;
    return false;
  }
}

function isCommandComplete(packet: Buffer, opcode: number): boolean {
  return packet[0] === H4_EVENT && packet[1] === EVENT_COMMAND_COMPLETE && packet.readUInt16LE(4) === opcode;
}

export = UserlandHciSocket;
