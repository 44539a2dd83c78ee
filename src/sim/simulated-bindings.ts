// Long file: one class implements the whole noble bindings interface (scan, connect, GATT discovery, reads, writes,
// notifications: every method noble calls) over per-link state that all of them share. What it simulates lives in
// files of its own: the batteries (virtual-battery, bms-responder, pack-physics), the module's FF AA side
// (module-auth), the GATT table (gatt-layout), latency and faults (latency, faults), its timers (timer-set).
import { EventEmitter } from "node:events";
import type { AdapterState, NobleBindings, RestartableBindings } from "../bindings/noble-bindings";
import { peripheralIdOf, shortUuid } from "../bindings/noble-ids";
import { hasAuthHeaderAt } from "../protocol/auth";
import { JBD_GATT } from "../protocol/gatt";
import { Operation, Register } from "../protocol/registers";
import { type FaultProfile, resolveFaultProfile } from "./faults";
import { gattTable, type SimService } from "./gatt-layout";
import { draw, drawReplyDelay, LATENCY_MODELS, type LatencyModel } from "./latency";
import { ModuleAuth } from "./module-auth";
import {
  DEFAULT_SIMULATOR_OPTIONS,
  type FaultProfileName,
  type LatencyModelName,
  type SimulatorOptions,
} from "./options";
import { hash32, SeededRandom } from "./random";
import { SimWorld } from "./sim-world";
import { emptyStats, type SimulatorStats } from "./stats";
import { TimerSet } from "./timer-set";
import type { BatteryState, VirtualBattery } from "./virtual-battery";

/**
 * Options of SimulatedBindings: the config node's SimulatorOptions (all optional here, defaults from
 * DEFAULT_SIMULATOR_OPTIONS), where `faults` and `latency` may also be custom profiles, plus an optional shared world.
 * With a `world`, `batteries`/`cells`/`password` are the world's and are ignored here.
 */
export type SimulatedBindingsOptions = Partial<Omit<SimulatorOptions, "faults" | "latency">> & {
  faults?: FaultProfileName | Partial<FaultProfile>;
  latency?: LatencyModelName | LatencyModel;
  world?: SimWorld;
};

/** HCI disconnect reasons noble passes on (NOBLE-NOTES 1). */
const REASON_CONNECTION_TIMEOUT = 0x08;
const REASON_LOCAL_HOST = 0x16;
/** HCI status 0x3e, what a controller reports when a connection cannot be made. */
const CONNECT_FAILED_MESSAGE = "Connection Failed to be Established (0x3e)";
/** HCI status 0x02: how a controller ends a cancelled connect (LE Connection Complete), in noble's HCI wording. */
const CONNECT_CANCELLED_MESSAGE = "Unknown Connection Identifier (0x2)";
/** What a connect still pending when the adapter restarts ends with (as HostBindings reports it). */
const ADAPTER_RESTARTED_MESSAGE = "Bluetooth adapter restarted";
/** ATT MTU of the JBD module: 23, so 20 bytes per notification (PROTOCOL 1.3). */
export const NOTIFICATION_SIZE = 20;

type PoweredState = Extract<AdapterState, "unknown" | "poweredOn" | "poweredOff">;

interface Link {
  battery: VirtualBattery;
  /**
   * queued: a connect waiting behind one noble's HCI bindings still hold pending (an unanswered cancel). vanished:
   * lost without a word; noble still counts it connected and nothing on it is ever answered.
   */
  state: "queued" | "connecting" | "connected" | "disconnecting" | "vanished" | "ended";
  /** Timer group of this link: cancelled as a whole when the link ends, so no late event escapes. */
  group: string;
  subscribed: boolean;
  sawFirstRequest: boolean;
  echoes: boolean;
  /** The module's FF AA state on this link when the battery has a module password; a new link starts locked. */
  auth: ModuleAuth | null;
  /**
   * When the BMS's byte stream to the BLE module is free again (Date.now() time). The BMS writes each reply to the
   * module over a serial line, so a late or repeated reply may come before or after another, never interleaved.
   */
  streamFreeAt: number;
}

let nextLinkSerial = 1;

/**
 * Simulated noble bindings: one simulated BLE central (adapter) in a SimWorld of virtual JBD batteries. Drives the
 * real noble (`require("@abandonware/noble/with-bindings")(bindings)`) through scan, connect, GATT discovery,
 * subscribe and request/notification exchange, with latencies from a LatencyModel and faults from a FaultProfile,
 * all on timers read at call time so a fake clock can drive it. Events are emitted only for peripherals this
 * central has advertised, because noble throws on events for unknown ids.
 */
export class SimulatedBindings extends EventEmitter implements NobleBindings, RestartableBindings {
  readonly world: SimWorld;
  readonly centralId: string;
  private readonly ownsWorld: boolean;
  private readonly random: SeededRandom;
  private readonly timers = new TimerSet();
  private readonly latency: LatencyModel;
  private faults: FaultProfile;
  private powered: PoweredState = "unknown";
  private initialized = false;
  private disposed = false;
  private scanFilter: Set<string> | null | undefined;
  private readonly advertTimers = new Map<string, number>();
  private readonly advertisedIds = new Set<string>();
  private readonly links = new Map<string, Link>();
  /** Peripherals whose cancelled connect is still to be answered: a new connect to them waits for the answer. */
  private readonly cancelAnswers = new Set<string>();
  /** A cancel went unanswered: noble's HCI bindings hold that connect pending and queue every later one behind it. */
  private connectsWedged = false;
  private counters: SimulatorStats = emptyStats();
  private readonly onAvailable = (address: string) => this.batteryBecameFree(address);

  constructor(options: SimulatedBindingsOptions = {}) {
    super();
    const settings = { ...DEFAULT_SIMULATOR_OPTIONS, ...options };
    this.ownsWorld = options.world === undefined;
    this.world =
      options.world ??
      new SimWorld({
        batteries: settings.batteries,
        cells: settings.cells,
        ...(settings.seed === undefined ? {} : { seed: settings.seed }),
        ...(settings.password === undefined ? {} : { password: settings.password }),
      });
    const central = this.world.registerCentral();
    this.centralId = central.id;
    this.random = new SeededRandom(hash32(options.seed ?? this.world.seed, 1000 + central.index));
    this.latency = typeof settings.latency === "string" ? LATENCY_MODELS[settings.latency] : settings.latency;
    if (this.latency === undefined) throw new RangeError(`unknown latency model "${String(options.latency)}"`);
    this.faults = resolveFaultProfile(settings.faults);
    this.world.on("available", this.onAvailable);
  }

  // ---- control surface (plain data in and out) ----

  /** The adapter goes down: noble 1.9.2 sees only stateChange; links vanish without disconnect events, like HCI. */
  powerOff(): void {
    if (this.disposed || this.powered === "poweredOff") return;
    this.powered = "poweredOff";
    this.timers.cancelGroup("power");
    this.endScan();
    for (const link of [...this.links.values()]) this.endLink(link);
    this.emit("stateChange", "poweredOff");
  }

  powerOn(): void {
    if (this.disposed || this.powered === "poweredOn") return;
    this.powered = "poweredOn";
    this.emit("stateChange", "poweredOn");
    this.armPowerCut();
  }

  /**
   * RestartableBindings: a fresh HCI stack, as the adapter host gives one when noble's record of the adapter can no
   * longer be trusted (BleCentral asks after a disconnect that is never confirmed or a cancel that is never answered).
   * Every link is reported lost the way HostBindings reports the links of a child that has gone, a wedged connect
   * queue is gone with the old stack, and the adapter is poweredOn again after `adapterRestart` (unless a power-off
   * window is running: that one ends on its own timer).
   */
  restartAdapter(_reason: string): void {
    if (this.disposed || !this.initialized) return;
    this.counters.restarts += 1;
    const lost = [...this.links.values()].map((link) => ({
      id: link.battery.id,
      connecting: link.state === "queued" || link.state === "connecting",
    }));
    const wasOn = this.powered === "poweredOn";
    this.powerOff();
    this.connectsWedged = false;
    for (const { id, connecting } of lost) {
      if (connecting) this.emit("connect", id, new Error(ADAPTER_RESTARTED_MESSAGE));
      else this.emit("disconnect", id, REASON_CONNECTION_TIMEOUT);
    }
    if (wasOn) this.timers.after(draw(this.random, this.latency.adapterRestart), "restart", () => this.powerOn());
  }

  get state(): PoweredState {
    return this.powered;
  }

  battery(address: string): VirtualBattery | undefined {
    return this.world.battery(address);
  }

  /** Plain snapshot of one battery, or null for an unknown address. */
  batteryState(address: string): BatteryState | null {
    return this.world.battery(address)?.state() ?? null;
  }

  /** The link to `address` is lost (supervision timeout): disconnect(id, 0x08). False if there is no such link. */
  dropLink(address: string): boolean {
    const link = this.links.get(peripheralIdOf(address));
    if (link?.state !== "connected") return false;
    this.loseLink(link);
    return true;
  }

  setFaults(faults: FaultProfileName | Partial<FaultProfile>): void {
    this.faults = resolveFaultProfile(faults);
    this.timers.cancelGroup("power");
    this.armPowerCut();
  }

  stats(): SimulatorStats {
    return structuredClone(this.counters);
  }

  /** Timers still pending (zero after dispose). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Cancels every timer and lets go of every battery, emitting nothing. The bindings are dead afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.timers.cancelAll();
    this.advertTimers.clear();
    this.scanFilter = undefined;
    for (const link of [...this.links.values()]) this.endLink(link);
    this.world.off("available", this.onAvailable);
    if (this.ownsWorld) this.world.dispose();
  }

  // ---- adapter ----

  init(): void {
    if (this.disposed || this.initialized) return;
    this.initialized = true;
    this.powered = "poweredOn";
    this.timers.after(0, "adapter", () => this.emit("stateChange", "poweredOn"));
    this.armPowerCut();
  }

  /** @stoprocent/noble's name for init(). */
  start(): void {
    this.init();
  }

  /** @stoprocent/noble's teardown. */
  stop(): void {
    this.dispose();
  }

  addressToId(address: string): string {
    return peripheralIdOf(address);
  }

  setScanParameters(_interval: number, _window: number): void {
    this.later(0, "adapter", () => this.emit("scanParametersSet"));
  }

  startScanning(serviceUuids: string[] | undefined, allowDuplicates: boolean): void {
    if (this.disposed || this.powered !== "poweredOn") return;
    this.counters.scans += 1;
    this.endScan();
    this.scanFilter = serviceUuids && serviceUuids.length > 0 ? new Set(serviceUuids.map(shortUuid)) : null;
    this.later(0, "adapter", () => this.emit("scanStart", !allowDuplicates));
    for (const battery of this.world.batteries) this.scheduleAdvert(battery, this.latency.scanToAdvert);
  }

  stopScanning(): void {
    if (this.disposed) return;
    this.endScan();
    this.later(0, "adapter", () => this.emit("scanStop"));
  }

  // ---- connections ----

  connect(peripheralUuid: string, _parameters?: unknown): void {
    if (this.disposed) return;
    if (this.cancelAnswers.has(peripheralUuid)) {
      // noble's HCI bindings queue a connect behind the one still pending until the controller has answered it.
      this.later(0, "adapter", () => this.connect(peripheralUuid));
      return;
    }
    this.counters.connectAttempts += 1;
    const battery = this.world.battery(peripheralUuid);
    if (this.powered !== "poweredOn" || !battery || !this.advertisedIds.has(peripheralUuid)) {
      this.later(0, "adapter", () => this.emit("connect", peripheralUuid, new Error("Command Disallowed (0xc)")));
      return;
    }
    if (this.links.has(peripheralUuid)) {
      this.later(0, "adapter", () => this.emit("connect", peripheralUuid, new Error("Command Disallowed (0xc)")));
      return;
    }
    const link: Link = {
      battery,
      state: this.connectsWedged ? "queued" : "connecting",
      group: `link:${nextLinkSerial++}`,
      subscribed: false,
      sawFirstRequest: false,
      echoes: false,
      auth: null,
      streamFreeAt: 0,
    };
    this.links.set(peripheralUuid, link);
    // Queued behind a connect noble never saw end: nothing happens until the adapter restarts.
    if (link.state === "queued") return;
    if (this.random.chance(this.faults.connectHang)) {
      // Only cancelConnect ends this attempt.
      this.counters.faults.connectHang += 1;
      return;
    }
    const failed = this.random.chance(this.faults.connectFailure);
    this.timers.after(draw(this.random, this.latency.connect), link.group, () => this.completeConnect(link, failed));
  }

  /**
   * noble emits the cancel error to the peripheral itself; the controller then answers the cancel: the connect ends in
   * error (LE Connection Complete, status 0x02), or it had completed already (connectAfterCancel), or no answer comes
   * at all (cancelUnanswered: noble's HCI bindings keep the connect pending and queue every later one behind it). A
   * connect queued behind such a one is dropped from noble's queue without a word.
   */
  cancelConnect(peripheralUuid: string, _parameters?: unknown): void {
    const link = this.links.get(peripheralUuid);
    if (link?.state === "queued") this.endLink(link);
    if (link?.state !== "connecting") return;
    this.timers.cancelGroup(link.group);
    if (this.random.chance(this.faults.connectAfterCancel)) {
      this.counters.faults.connectAfterCancel += 1;
      this.timers.after(0, link.group, () => this.completeConnect(link, false));
      return;
    }
    this.endLink(link);
    if (this.random.chance(this.faults.cancelUnanswered)) {
      this.counters.faults.cancelUnanswered += 1;
      this.connectsWedged = true;
      return;
    }
    this.cancelAnswers.add(peripheralUuid);
    this.later(0, "adapter", () => {
      this.cancelAnswers.delete(peripheralUuid);
      this.emit("connect", peripheralUuid, new Error(CONNECT_CANCELLED_MESSAGE));
    });
  }

  /**
   * A connected link: disconnect(id, 0x16) after the disconnect latency. A connecting one is abandoned without a word
   * (noble's HCI bindings would disconnect handle 0). Without a link nothing is emitted, as with HCI: callers must
   * guard with their own state; nor for a link lost without a word, whose disconnect the controller refuses.
   */
  disconnect(peripheralUuid: string): void {
    const link = this.links.get(peripheralUuid);
    if (!link || link.state === "vanished") return;
    if (link.state === "connecting" || link.state === "queued") {
      this.endLink(link);
      return;
    }
    if (link.state === "disconnecting") return;
    link.state = "disconnecting";
    this.timers.cancelGroup(link.group);
    this.timers.after(draw(this.random, this.latency.disconnect), link.group, () => {
      this.endLink(link);
      this.counters.disconnects += 1;
      this.emit("disconnect", peripheralUuid, REASON_LOCAL_HOST);
    });
  }

  /** The end of a connect attempt: connect(error) after a failure or a refusal, else a connected link. */
  private completeConnect(link: Link, failed: boolean): void {
    const peripheralUuid = link.battery.id;
    const battery = link.battery;
    if (failed) {
      this.counters.faults.connectFailure += 1;
      this.links.delete(peripheralUuid);
      this.emit("connect", peripheralUuid, new Error(CONNECT_FAILED_MESSAGE));
      return;
    }
    if (!battery.acquire(this.centralId)) {
      this.counters.refusedBusy += 1;
      this.links.delete(peripheralUuid);
      this.emit("connect", peripheralUuid, new Error(CONNECT_FAILED_MESSAGE));
      return;
    }
    link.state = "connected";
    const password = battery.modulePassword;
    // Fresh random bytes for every link, drawn only when asked for, so runs without a password draw nothing new.
    link.auth = password === null ? null : new ModuleAuth(battery.address, password, () => this.random.index(256));
    link.echoes = battery.needsPairing || this.random.chance(this.faults.needsPairing);
    if (link.echoes) this.counters.faults.needsPairing += 1;
    this.counters.connects += 1;
    this.armLinkDrop(link);
    this.emit("connect", peripheralUuid, null);
  }

  updateRssi(peripheralUuid: string): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    this.onLink(link, this.latency.gattRoundTrip, () =>
      this.emit("rssiUpdate", peripheralUuid, this.rssi(link.battery)),
    );
  }

  // ---- GATT ----

  discoverServices(peripheralUuid: string, uuids: string[]): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    const wanted = this.uuidFilter(uuids);
    const services = this.table(link)
      .map((s) => s.uuid)
      .filter((uuid) => !wanted || wanted.has(uuid));
    this.onLink(link, this.latency.discoverServices, () => this.emit("servicesDiscover", peripheralUuid, services));
  }

  discoverIncludedServices(peripheralUuid: string, serviceUuid: string, _serviceUuids: string[]): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    this.onLink(link, this.latency.gattRoundTrip, () =>
      this.emit("includedServicesDiscover", peripheralUuid, serviceUuid, []),
    );
  }

  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids: string[]): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    const wanted = this.uuidFilter(characteristicUuids);
    const service = this.service(link, serviceUuid);
    const characteristics = (service?.characteristics ?? [])
      .filter((c) => !wanted || wanted.has(c.uuid))
      .map((c) => ({ uuid: c.uuid, properties: [...c.properties] }));
    this.onLink(link, this.latency.discoverCharacteristics, () =>
      this.emit("characteristicsDiscover", peripheralUuid, serviceUuid, characteristics),
    );
  }

  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    const characteristic = this.service(link, serviceUuid)?.characteristics.find((c) => c.uuid === characteristicUuid);
    const descriptors = [...(characteristic?.descriptors ?? [])];
    this.onLink(link, this.latency.gattRoundTrip, () =>
      this.emit("descriptorsDiscover", peripheralUuid, serviceUuid, characteristicUuid, descriptors),
    );
  }

  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    const value = characteristicUuid === "2a00" ? Buffer.from(link.battery.spec.name) : Buffer.alloc(0);
    this.onLink(link, this.latency.gattRoundTrip, () =>
      this.emit("read", peripheralUuid, serviceUuid, characteristicUuid, value, false),
    );
  }

  write(
    peripheralUuid: string,
    serviceUuid: string,
    characteristicUuid: string,
    data: Buffer,
    withoutResponse: boolean,
  ): void {
    const vanished = this.links.get(peripheralUuid);
    if (vanished?.state === "vanished" && withoutResponse) {
      // noble still has the link, so its HCI bindings queue the command and report it written; it goes nowhere.
      this.timers.after(0, vanished.group, () => this.emit("write", peripheralUuid, serviceUuid, characteristicUuid));
      return;
    }
    const link = this.connected(peripheralUuid);
    if (!link) return;
    // A command is acknowledged as soon as it is queued (HCI behaviour); a write request after the ATT round trip.
    const ackDelay = withoutResponse ? ([0, 0] as const) : this.latency.gattRoundTrip;
    this.onLink(link, ackDelay, () => this.emit("write", peripheralUuid, serviceUuid, characteristicUuid));
    const jbd = JBD_GATT[link.battery.spec.gatt];
    if (serviceUuid === jbd.service && characteristicUuid === jbd.write) {
      this.handleRequest(peripheralUuid, link, Uint8Array.from(data));
    }
  }

  broadcast(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, broadcast: boolean): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    this.onLink(link, this.latency.gattRoundTrip, () =>
      this.emit("broadcast", peripheralUuid, serviceUuid, characteristicUuid, broadcast),
    );
  }

  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, notify: boolean): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    const jbd = JBD_GATT[link.battery.spec.gatt];
    this.onLink(link, this.latency.subscribe, () => {
      if (serviceUuid === jbd.service && characteristicUuid === jbd.notify) link.subscribed = notify;
      this.emit("notify", peripheralUuid, serviceUuid, characteristicUuid, notify);
    });
  }

  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    const value =
      descriptorUuid === "2902" ? Buffer.from([link.subscribed ? 1 : 0, 0]) : Buffer.from(characteristicUuid);
    this.onLink(link, this.latency.gattRoundTrip, () =>
      this.emit("valueRead", peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid, value),
    );
  }

  writeValue(
    peripheralUuid: string,
    serviceUuid: string,
    characteristicUuid: string,
    descriptorUuid: string,
    _data: Buffer,
  ): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    this.onLink(link, this.latency.gattRoundTrip, () =>
      this.emit("valueWrite", peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid),
    );
  }

  readHandle(peripheralUuid: string, handle: number): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    this.onLink(link, this.latency.gattRoundTrip, () =>
      this.emit("handleRead", peripheralUuid, handle, Buffer.alloc(0)),
    );
  }

  writeHandle(peripheralUuid: string, handle: number, _data: Buffer, _withoutResponse: boolean): void {
    const link = this.connected(peripheralUuid);
    if (!link) return;
    this.onLink(link, this.latency.gattRoundTrip, () => this.emit("handleWrite", peripheralUuid, handle));
  }

  // ---- the BMS conversation ----

  private handleRequest(peripheralUuid: string, link: Link, request: Uint8Array): void {
    this.counters.requests += 1;
    if (request[1] === Operation.Write && request[2] === Register.MosControl) this.counters.mosWrites += 1;
    const authFrame = hasAuthHeaderAt(request, 0);
    if (authFrame) this.counters.authFrames += 1;
    if (link.echoes) {
      this.sendReply(peripheralUuid, link, request, drawReplyDelay(this.random, this.latency), false);
      return;
    }
    const reply = link.auth !== null && authFrame ? this.moduleReply(link.auth, request) : this.relay(link, request);
    if (!reply) return;
    if (this.random.chance(this.faults.lostReply)) {
      this.counters.faults.lostReply += 1;
      return;
    }
    let delay = drawReplyDelay(this.random, this.latency);
    if (this.random.chance(this.faults.lateReply)) {
      this.counters.faults.lateReply += 1;
      delay = this.faults.lateReplyMs;
    }
    this.sendReply(peripheralUuid, link, reply, delay, true);
    if (this.random.chance(this.faults.duplicateReply)) {
      this.counters.faults.duplicateReply += 1;
      this.sendReply(peripheralUuid, link, reply, delay + drawReplyDelay(this.random, this.latency), true);
    }
  }

  /** The module's own answer to an FF AA frame (the BMS never sees those), or null for one it ignores. */
  private moduleReply(auth: ModuleAuth, request: Uint8Array): Uint8Array | null {
    const reply = auth.respond(request);
    if (!reply) this.counters.ignoredRequests += 1;
    return reply;
  }

  /**
   * The BMS's answer to a request the module passes on, or null: not passed on before a password-protected module's
   * handshake, the first request ignored by a sleeping BMS, or a frame the BMS ignores.
   */
  private relay(link: Link, request: Uint8Array): Uint8Array | null {
    if (link.auth !== null && !link.auth.open) {
      this.counters.notRelayed += 1;
      return null;
    }
    if (!link.sawFirstRequest) {
      link.sawFirstRequest = true;
      if (this.random.chance(this.faults.firstRequestIgnored)) {
        this.counters.faults.firstRequestIgnored += 1;
        return null;
      }
    }
    const reply = link.battery.respond(request);
    if (!reply) this.counters.ignoredRequests += 1;
    return reply;
  }

  /** Splits a frame into 20-byte notifications a few ms apart, damaging it when a fault says so. */
  private sendReply(peripheralUuid: string, link: Link, frame: Uint8Array, delay: number, damageable: boolean): void {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < frame.length; i += NOTIFICATION_SIZE) chunks.push(frame.slice(i, i + NOTIFICATION_SIZE));
    if (damageable && this.random.chance(this.faults.truncatedFrame)) {
      this.counters.faults.truncatedFrame += 1;
      if (chunks.length > 1) chunks.pop();
      else chunks[0] = frame.slice(0, Math.ceil(frame.length / 2));
    }
    if (damageable && this.random.chance(this.faults.corruptedNotification)) {
      this.counters.faults.corruptedNotification += 1;
      const chunk = chunks[this.random.index(chunks.length)] as Uint8Array;
      const at = this.random.index(chunk.length);
      chunk[at] = (chunk[at] as number) ^ (1 + this.random.index(255));
    }
    this.counters.replies += 1;
    const jbd = JBD_GATT[link.battery.spec.gatt];
    const now = Date.now();
    let at = Math.max(delay, link.streamFreeAt - now);
    chunks.forEach((chunk, i) => {
      if (i > 0) at += draw(this.random, this.latency.fragmentGap);
      this.timers.after(at, link.group, () => {
        // The BMS notifies only while the central has enabled notifications (CCCD).
        if (!link.subscribed || link.state !== "connected") return;
        this.counters.notifications += 1;
        this.emit("read", peripheralUuid, jbd.service, jbd.notify, Buffer.from(chunk), true);
      });
    });
    link.streamFreeAt = Math.max(link.streamFreeAt, now + at);
  }

  // ---- faults on timers ----

  private armLinkDrop(link: Link): void {
    if (this.faults.linkDropMeanMs <= 0) return;
    const after = Math.round(this.random.exponential(this.faults.linkDropMeanMs));
    this.timers.after(
      after,
      link.group,
      () => {
        if (this.random.chance(this.faults.silentLinkLoss)) {
          this.counters.faults.silentLinkLoss += 1;
          this.vanishLink(link);
          return;
        }
        this.counters.faults.linkDrop += 1;
        this.loseLink(link);
      },
      true,
    );
  }

  private armPowerCut(): void {
    if (this.faults.powerOffMeanMs <= 0 || this.powered !== "poweredOn") return;
    const after = Math.round(this.random.exponential(this.faults.powerOffMeanMs));
    this.timers.after(
      after,
      "power",
      () => {
        this.counters.faults.powerOff += 1;
        this.powerOff();
        this.timers.after(this.faults.powerOffMs, "power", () => this.powerOn(), true);
      },
      true,
    );
  }

  /**
   * The battery is gone and nobody says so: noble keeps the link "connected", nothing on it is answered and its
   * disconnect is never confirmed, until the adapter restarts. The battery itself is free again (its module reset).
   */
  private vanishLink(link: Link): void {
    this.timers.cancelGroup(link.group);
    link.state = "vanished";
    link.subscribed = false;
    this.counters.drops += 1;
    link.battery.release(this.centralId);
  }

  private loseLink(link: Link): void {
    const id = link.battery.id;
    this.endLink(link);
    this.counters.drops += 1;
    this.timers.after(0, "adapter", () => this.emit("disconnect", id, REASON_CONNECTION_TIMEOUT));
  }

  // ---- scanning ----

  private scheduleAdvert(battery: VirtualBattery, range: readonly [number, number]): void {
    if (this.advertTimers.has(battery.id)) return;
    const timer = this.timers.after(draw(this.random, range), "scan", () => {
      this.advertTimers.delete(battery.id);
      this.advertise(battery);
    });
    this.advertTimers.set(battery.id, timer);
  }

  private advertise(battery: VirtualBattery): void {
    if (this.scanFilter === undefined) return;
    // A service filter passes only what the advertisement carries, as noble's HCI bindings filter.
    const advertised = battery.spec.advertisesService ? [JBD_GATT[battery.spec.gatt].service] : [];
    if (battery.advertising && (this.scanFilter === null || advertised.some((uuid) => this.scanFilter?.has(uuid)))) {
      this.counters.adverts += 1;
      this.advertisedIds.add(battery.id);
      const advertisement = {
        localName: battery.spec.name,
        txPowerLevel: undefined,
        manufacturerData: Buffer.from(battery.address.split(":").map((h) => Number.parseInt(h, 16))),
        serviceData: [],
        serviceUuids: advertised,
        solicitationServiceUuids: [],
        serviceSolicitationUuids: [],
      };
      this.emit(
        "discover",
        battery.id,
        battery.address.toLowerCase(),
        "public",
        true,
        advertisement,
        this.rssi(battery),
        true,
      );
    }
    // A module re-advertises every 100-300 ms; with a zero interval it is advertised again only when it frees up.
    if (this.latency.advertInterval[1] > 0) this.scheduleAdvert(battery, this.latency.advertInterval);
  }

  private batteryBecameFree(address: string): void {
    if (this.disposed || this.scanFilter === undefined) return;
    const battery = this.world.battery(address);
    if (battery) this.scheduleAdvert(battery, this.latency.scanToAdvert);
  }

  private endScan(): void {
    this.scanFilter = undefined;
    this.timers.cancelGroup("scan");
    this.advertTimers.clear();
  }

  private rssi(battery: VirtualBattery): number {
    const base = -52 - 5 * ((battery.index - 1) % 8);
    return Math.round(base + this.random.between(-3, 3));
  }

  // ---- helpers ----

  private connected(peripheralUuid: string): Link | undefined {
    if (this.disposed) return undefined;
    const link = this.links.get(peripheralUuid);
    return link?.state === "connected" ? link : undefined;
  }

  /** Runs `fn` after a delay from `range`, only if the link is still up then (its timers die with it anyway). */
  private onLink(link: Link, range: readonly [number, number], fn: () => void): void {
    this.timers.after(draw(this.random, range), link.group, () => {
      if (link.state === "connected") fn();
    });
  }

  private later(ms: number, group: string, fn: () => void): void {
    if (!this.disposed) this.timers.after(ms, group, fn);
  }

  private endLink(link: Link): void {
    this.timers.cancelGroup(link.group);
    this.links.delete(link.battery.id);
    // Only a link that got through holds its battery (a vanished one has let go of it already).
    const wasHolding = link.state === "connected" || link.state === "disconnecting";
    link.state = "ended";
    link.subscribed = false;
    if (wasHolding) link.battery.release(this.centralId);
  }

  private table(link: Link): SimService[] {
    return gattTable(link.battery.spec.gatt, link.battery.spec.writeWithResponse);
  }

  private service(link: Link, serviceUuid: string): SimService | undefined {
    return this.table(link).find((s) => s.uuid === serviceUuid);
  }

  private uuidFilter(uuids: string[] | undefined): Set<string> | null {
    return uuids && uuids.length > 0 ? new Set(uuids.map(shortUuid)) : null;
  }
}
