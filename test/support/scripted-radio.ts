import { EventEmitter } from "node:events";
import type { NobleBindings } from "../../src/bindings/noble-bindings";
import { peripheralIdOf } from "../../src/bindings/noble-ids";
import { AuthCommand, encodeAuthReply, encodeBasicInfo, encodeFrame, Register } from "../../src/protocol";
import { hasAuthHeaderAt } from "../../src/protocol/auth";
import { JBD_GATT } from "../../src/protocol/gatt";

/**
 * A deterministic radio for pool, session and central tests: noble bindings (the layer below the real noble)
 * with JBD batteries whose every fault is switched on by the test, at exact moments, on the fake clock. It records
 * what happened (connect starts, writes, disconnects) with timestamps so tests assert ordering, not timing.
 * The shared simulator (src/sim) covers the same ground with random fault profiles; this one is for precision.
 */
/** late: completes after `connectDelayMs` even if the connect was cancelled (the controller raced the cancel). */
export type ConnectBehaviour = "ok" | "hang" | "fail" | "late";

export interface ScriptedBattery {
  readonly address: string;
  readonly id: string;
  name: string;
  layout: "ff00" | "fff0" | "none";
  cells: number;
  advertising: boolean;
  connected: boolean;
  connect: ConnectBehaviour;
  /** Overrides the radio's connect latency for this battery. */
  connectDelayMs: number | undefined;
  /** Drop the next N requests without answering. */
  ignoreNext: number;
  /** Answer every request twice. */
  duplicateReplies: boolean;
  /** Echo requests back byte for byte (wants pairing). */
  echo: boolean;
  /** Flip a byte in the next N reply frames. */
  corruptNext: number;
  /** Extra delay for replies, ms (a late reply). */
  replyDelayMs: number;
  /** How many voltages each of the next 0x04 replies carries, one entry per reply (then `cells` again). */
  cellsIn04: number[];
  /** 0x05 answered with status 0x80. */
  noHardwareVersion: boolean;
  /** Acknowledge 0xE1 but never lock a port (a BMS that refuses while current flows). */
  refuseLock: boolean;
  /** Software-lock mask (bit0 charge, bit1 discharge) and FET bits. */
  lockMask: number;
  /** FETs forced off by protection (bit0 charge, bit1 discharge). */
  protectionOff: number;
  /** Only write-with-response (old dongles). */
  writeWithResponseOnly: boolean;
  /**
   * A module with FF AA (PROTOCOL 5.2 b) whose app key reply carries this status, and which relays nothing on a link
   * before it has had the app key; null (the default): no FF AA, and FF AA frames go unanswered.
   */
  appKeyStatus: number | null;
  /** Counts connections: a reply never crosses into a later connection. */
  generation: number;
  /**
   * Gone without a word (its process killed, out of range before any supervision timeout): noble still counts it
   * connected, requests vanish, and a disconnect is never confirmed, as on noble's HCI stack.
   */
  vanished: boolean;
}

export interface RadioEvent {
  at: number;
  type:
    | "connect-start"
    | "connected"
    | "connect-cancel"
    | "disconnect"
    | "dropped"
    | "write"
    | "scan-start"
    | "scan-stop";
  id: string;
  data?: string;
}

export interface ScriptedRadioOptions {
  batteries?: number;
  cells?: number;
  connectMs?: number;
  discoverMs?: number;
  replyMs?: number;
  advertiseMs?: number;
}

export function scriptedAddress(n: number): string {
  return `AA:BB:CC:00:00:${n.toString(16).toUpperCase().padStart(2, "0")}`;
}

export class ScriptedRadio extends EventEmitter implements NobleBindings {
  readonly batteries = new Map<string, ScriptedBattery>();
  readonly events: RadioEvent[] = [];
  private powered = true;
  private scanning = false;
  private scanFilter: string[] = [];
  /** The connection (generation) on which each FF AA module last had the app key. */
  private readonly appKeyOnLink = new Map<string, number>();
  /** Connects in progress: their completion timer, or null for a connect that hangs. */
  private readonly pendingConnects = new Map<string, NodeJS.Timeout | null>();
  private readonly timing: Required<Omit<ScriptedRadioOptions, "batteries" | "cells">>;
  /** Connects started and not yet completed or cancelled; the highest value seen (the connect gate's proof). */
  connectsInFlight = 0;
  maxConnectsInFlight = 0;

  constructor(options: ScriptedRadioOptions = {}) {
    super();
    this.timing = {
      connectMs: options.connectMs ?? 200,
      discoverMs: options.discoverMs ?? 50,
      replyMs: options.replyMs ?? 40,
      advertiseMs: options.advertiseMs ?? 100,
    };
    for (let n = 1; n <= (options.batteries ?? 3); n++) this.addBattery(scriptedAddress(n), options.cells ?? 4);
  }

  addBattery(address: string, cells = 4): ScriptedBattery {
    const battery: ScriptedBattery = {
      address,
      id: peripheralIdOf(address),
      name: `xiaoxiang BMS ${address.slice(-2)}`,
      layout: "ff00",
      cells,
      advertising: true,
      connected: false,
      connect: "ok",
      connectDelayMs: undefined,
      ignoreNext: 0,
      duplicateReplies: false,
      echo: false,
      corruptNext: 0,
      replyDelayMs: 0,
      cellsIn04: [],
      noHardwareVersion: false,
      refuseLock: false,
      lockMask: 0,
      protectionOff: 0,
      writeWithResponseOnly: false,
      appKeyStatus: null,
      generation: 0,
      vanished: false,
    };
    this.batteries.set(battery.id, battery);
    return battery;
  }

  battery(address: string): ScriptedBattery {
    const battery = this.batteries.get(peripheralIdOf(address));
    if (!battery) throw new Error(`no scripted battery ${address}`);
    return battery;
  }

  count(type: RadioEvent["type"], id?: string): number {
    return this.events.filter((e) => e.type === type && (id === undefined || e.id === id)).length;
  }

  // ---- test controls ----

  powerOff(): void {
    this.powered = false;
    this.scanning = false;
    for (const timer of this.pendingConnects.values()) if (timer) clearTimeout(timer);
    this.pendingConnects.clear();
    this.connectsInFlight = 0;
    // Like the HCI bindings: live handles get no disconnect event on power-off.
    for (const battery of this.batteries.values()) {
      battery.connected = false;
      battery.advertising = true;
    }
    this.emit("stateChange", "poweredOff");
  }

  powerOn(): void {
    this.powered = true;
    this.emit("stateChange", "poweredOn");
  }

  /** Reasons of restartAdapter() calls, in order. */
  readonly restarts: string[] = [];

  /** RestartableBindings: a fresh HCI stack, as the adapter host gives one (every link lost, then poweredOn). */
  restartAdapter(reason: string): void {
    this.restarts.push(reason);
    this.powerOff();
    setTimeout(() => this.powerOn(), 0);
  }

  /** The battery drops the link (out of range, supervision timeout). */
  dropLink(address: string): void {
    const battery = this.battery(address);
    if (!battery.connected) return;
    battery.connected = false;
    battery.advertising = true;
    this.record("dropped", battery.id);
    this.emit("disconnect", battery.id, 0x08);
    this.advertiseIfScanning(battery);
  }

  /** Delivers raw bytes as one notification from a connected battery now (a stray or damaged frame). */
  injectNotification(address: string, bytes: Uint8Array): void {
    const battery = this.battery(address);
    if (!battery.connected || battery.layout === "none") return;
    const layout = JBD_GATT[battery.layout];
    this.emit("read", battery.id, layout.service, layout.notify, Buffer.from(bytes), true);
  }

  // ---- NobleBindings ----

  init(): void {
    setTimeout(() => this.emit("stateChange", this.powered ? "poweredOn" : "poweredOff"), 0);
  }

  startScanning(serviceUuids: string[] | undefined): void {
    this.scanning = true;
    this.scanFilter = serviceUuids ?? [];
    this.record("scan-start", "");
    setTimeout(() => this.emit("scanStart", false), 0);
    for (const battery of this.batteries.values()) this.advertiseIfScanning(battery);
  }

  stopScanning(): void {
    this.scanning = false;
    this.record("scan-stop", "");
    setTimeout(() => this.emit("scanStop"), 0);
  }

  connect(id: string): void {
    const battery = this.batteries.get(id);
    if (!battery) throw new TypeError(`Cannot read properties of undefined (reading 'split')`);
    this.record("connect-start", id);
    this.connectsInFlight++;
    this.maxConnectsInFlight = Math.max(this.maxConnectsInFlight, this.connectsInFlight);
    if (battery.connect === "hang") {
      this.pendingConnects.set(id, null);
      return;
    }
    const timer = setTimeout(() => {
      this.pendingConnects.delete(id);
      this.connectsInFlight--;
      if (battery.connect === "fail") {
        this.emit("connect", id, new Error("Connection Failed to be Established (0x3e)"));
        return;
      }
      battery.connected = true;
      battery.advertising = false;
      battery.generation++;
      this.record("connected", id);
      this.emit("connect", id, null);
    }, battery.connectDelayMs ?? this.timing.connectMs);
    this.pendingConnects.set(id, timer);
  }

  cancelConnect(id: string): void {
    if (!this.pendingConnects.has(id)) return;
    this.record("connect-cancel", id);
    if (this.batteries.get(id)?.connect === "late") return;
    const timer = this.pendingConnects.get(id);
    if (timer) clearTimeout(timer);
    this.pendingConnects.delete(id);
    this.connectsInFlight--;
  }

  disconnect(id: string): void {
    const battery = this.batteries.get(id);
    if (!battery || battery.vanished) return;
    setTimeout(() => {
      if (!battery.connected) return;
      battery.connected = false;
      battery.advertising = true;
      this.record("disconnect", id);
      this.emit("disconnect", id, 0x16);
      this.advertiseIfScanning(battery);
    }, 1);
  }

  updateRssi(): void {}

  discoverServices(id: string): void {
    const battery = this.batteries.get(id);
    setTimeout(() => {
      if (!battery?.connected) return;
      this.emit("servicesDiscover", id, battery.layout === "none" ? [] : [JBD_GATT[battery.layout].service]);
    }, this.timing.discoverMs);
  }

  discoverIncludedServices(): void {}

  discoverCharacteristics(id: string, serviceUuid: string): void {
    const battery = this.batteries.get(id);
    setTimeout(() => {
      if (!battery?.connected || battery.layout === "none") return;
      const layout = JBD_GATT[battery.layout];
      this.emit("characteristicsDiscover", id, serviceUuid, [
        { uuid: layout.notify, properties: ["read", "notify"] },
        {
          uuid: layout.write,
          properties: battery.writeWithResponseOnly ? ["read", "write"] : ["read", "writeWithoutResponse", "write"],
        },
      ]);
    }, 1);
  }

  read(): void {}

  write(id: string, serviceUuid: string, characteristicUuid: string, data: Buffer, withoutResponse: boolean): void {
    const battery = this.batteries.get(id);
    if (!battery?.connected || battery.layout === "none" || battery.vanished) return;
    this.record("write", id, data.toString("hex"));
    if (!withoutResponse) setTimeout(() => this.emit("write", id, serviceUuid, characteristicUuid), 1);
    if (battery.ignoreNext > 0) {
      battery.ignoreNext--;
      return;
    }
    const replies = battery.echo ? [new Uint8Array(data)] : this.answer(battery, new Uint8Array(data));
    const frames = battery.duplicateReplies ? [...replies, ...replies] : replies;
    const notify = JBD_GATT[battery.layout].notify;
    let delay = this.timing.replyMs + battery.replyDelayMs;
    const generation = battery.generation;
    for (const frame of frames) {
      const bytes = new Uint8Array(frame);
      if (battery.corruptNext > 0) {
        battery.corruptNext--;
        bytes[5] = ((bytes[5] as number) ^ 0x5a) & 0xff;
      }
      for (let offset = 0; offset < bytes.length; offset += 20) {
        const chunk = Buffer.from(bytes.subarray(offset, offset + 20));
        setTimeout(() => {
          if (battery.connected && battery.generation === generation) {
            this.emit("read", id, serviceUuid, notify, chunk, true);
          }
        }, delay);
        delay += 1;
      }
    }
  }

  broadcast(): void {}

  notify(id: string, serviceUuid: string, characteristicUuid: string, notify: boolean): void {
    setTimeout(() => this.emit("notify", id, serviceUuid, characteristicUuid, notify), 1);
  }

  discoverDescriptors(): void {}
  readValue(): void {}
  writeValue(): void {}
  readHandle(): void {}
  writeHandle(): void {}

  // ---- the battery ----

  private answer(battery: ScriptedBattery, request: Uint8Array): Uint8Array[] {
    if (hasAuthHeaderAt(request, 0)) {
      if (battery.appKeyStatus === null || request[2] !== AuthCommand.AppKey) return [];
      this.appKeyOnLink.set(battery.id, battery.generation);
      return [encodeAuthReply(AuthCommand.AppKey, battery.appKeyStatus)];
    }
    if (battery.appKeyStatus !== null && this.appKeyOnLink.get(battery.id) !== battery.generation) return [];
    const operation = request[1];
    const register = request[2] as number;
    if (operation === 0xa5 && register === Register.BasicInfo) return [this.basicInfo(battery)];
    if (operation === 0xa5 && register === Register.CellVoltages) {
      const cells = battery.cellsIn04.shift() ?? battery.cells;
      const data = new Uint8Array(cells * 2);
      for (let i = 0; i < cells; i++) {
        const mv = 3300 + i;
        data[2 * i] = mv >> 8;
        data[2 * i + 1] = mv & 0xff;
      }
      return [encodeFrame(Register.CellVoltages, 0, data)];
    }
    if (operation === 0xa5 && register === Register.HardwareVersion) {
      if (battery.noHardwareVersion) return [encodeFrame(Register.HardwareVersion, 0x80)];
      return [encodeFrame(Register.HardwareVersion, 0, new TextEncoder().encode("JBD-SP04S034-L4S"))];
    }
    if (operation === 0x5a && register === Register.MosControl) {
      if (!battery.refuseLock) battery.lockMask = (request[5] as number) & 0x03;
      return [encodeFrame(Register.MosControl, 0)];
    }
    if (operation === 0x5a && register === Register.FactoryModeExit) return [encodeFrame(register, 0)];
    return [encodeFrame(register, 0x80)];
  }

  private basicInfo(battery: ScriptedBattery): Uint8Array {
    const on = 0x03 & ~battery.lockMask & ~battery.protectionOff;
    return encodeBasicInfo({
      voltage: 13.21,
      current: -1.52,
      residualCapacity: 85,
      nominalCapacity: 100,
      cycles: 12,
      productionDate: "2022-03-28",
      balancing: new Array<boolean>(battery.cells).fill(false),
      protectionWord: battery.lockMask ? 0x1000 : 0,
      softwareVersion: "8.0",
      stateOfCharge: 85,
      mos: { charge: (on & 1) !== 0, discharge: (on & 2) !== 0 },
      cellCount: battery.cells,
      temperatures: [25, 26],
    });
  }

  private advertiseIfScanning(battery: ScriptedBattery): void {
    if (!this.scanning || !this.powered || !battery.advertising) return;
    // A "none" module advertises ff00 but offers no JBD service once connected.
    const service = battery.layout === "fff0" ? "fff0" : "ff00";
    if (this.scanFilter.length > 0 && !this.scanFilter.includes(service)) return;
    setTimeout(() => {
      if (!this.scanning || !battery.advertising) return;
      this.emit(
        "discover",
        battery.id,
        battery.address.toLowerCase(),
        "public",
        true,
        { localName: battery.name, serviceUuids: [service], serviceData: [], manufacturerData: undefined },
        -65,
        true,
      );
    }, this.timing.advertiseMs);
  }

  private record(type: RadioEvent["type"], id: string, data?: string): void {
    this.events.push({ at: Date.now(), type, id, ...(data === undefined ? {} : { data }) });
  }
}
