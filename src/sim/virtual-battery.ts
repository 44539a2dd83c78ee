import { peripheralIdOf } from "../bindings/noble-ids";
import type { BatterySpec } from "./battery-spec";
import { respond } from "./bms-responder";
import { PackPhysics, type PackReadings } from "./pack-physics";

/** Who holds a battery's single BLE link: a simulated central's id, the phone app, or nobody. */
export const PHONE_APP = "phone-app";

/** Plain-data view of a battery, for tests, the benchmark and the demo (also across a process boundary). */
export interface BatteryState extends PackReadings {
  address: string;
  name: string;
  nominalAh: number;
  mosLock: { charge: boolean; discharge: boolean };
  /** The central holding the link, `"phone-app"` while occupied, null when free. */
  heldBy: string | null;
  advertising: boolean;
  needsPairing: boolean;
}

/** What the world provides to a battery: when it frees up, and timers for occupy(ms). */
export interface BatteryHost {
  batteryFreed(battery: VirtualBattery): void;
  scheduleVacate(battery: VirtualBattery, ms: number): void;
  cancelVacate(battery: VirtualBattery): void;
}

/** One simulated JBD BMS: identity, pack physics, the single-central rule, and the request/response state machine. */
export class VirtualBattery {
  readonly address: string;
  readonly id: string;
  /** Echoes every request byte for byte, as a BMS that wants BLE pairing does (PROTOCOL 5.2 c). */
  needsPairing = false;
  /**
   * The FF AA password of this battery's Bluetooth module (PROTOCOL 5.2 b): while set, each new link relays nothing
   * to the BMS until the handshake with it succeeds. Null: a module without FF AA, which ignores FF AA frames.
   */
  modulePassword: string | null = null;
  /** Between "enter factory mode" and "exit factory mode" writes. */
  factoryMode = false;
  private holder: string | null = null;
  private readonly physics: PackPhysics;

  constructor(
    readonly index: number,
    readonly spec: BatterySpec,
    seed: number,
    private readonly host: BatteryHost,
    startSoc: number,
    baseCycles: number,
  ) {
    this.address = spec.address;
    this.id = peripheralIdOf(this.address);
    this.physics = new PackPhysics(spec, seed, Date.now(), startSoc, baseCycles);
  }

  get heldBy(): string | null {
    return this.holder;
  }

  /** Free batteries advertise; a connected one (or one the phone app holds) does not. */
  get advertising(): boolean {
    return this.holder === null;
  }

  /** Takes the single link for `central`; false if someone else holds it. */
  acquire(central: string): boolean {
    if (this.holder !== null) return false;
    this.holder = central;
    return true;
  }

  release(central: string): void {
    if (this.holder !== central) return;
    this.holder = null;
    this.host.batteryFreed(this);
  }

  /** The phone app takes the battery: it stops advertising and refuses connects, for `ms` or until vacate(). */
  occupy(ms?: number): boolean {
    if (this.holder !== null && this.holder !== PHONE_APP) return false;
    this.holder = PHONE_APP;
    this.host.cancelVacate(this);
    if (ms !== undefined) this.host.scheduleVacate(this, ms);
    return true;
  }

  vacate(): void {
    this.host.cancelVacate(this);
    this.release(PHONE_APP);
  }

  readings(): PackReadings {
    return this.physics.readings(Date.now());
  }

  state(): BatteryState {
    return {
      ...this.readings(),
      address: this.address,
      name: this.spec.name,
      nominalAh: this.spec.nominalAh,
      mosLock: this.mosLock,
      heldBy: this.holder,
      advertising: this.advertising,
      needsPairing: this.needsPairing,
    };
  }

  get soc(): number {
    return this.readings().soc;
  }

  set soc(value: number) {
    this.physics.setSoc(value, Date.now());
  }

  get current(): number {
    return this.readings().current;
  }

  /** Forces a constant current in A (positive = charging); null returns to the solar/load profile. */
  setCurrent(amps: number | null): void {
    this.physics.readings(Date.now());
    this.physics.forcedCurrent = amps;
  }

  /** Trips cell over- or under-voltage protection now: the BMS holds the charge (or discharge) FET off. */
  tripProtection(kind: "cellOvervoltage" | "cellUndervoltage"): void {
    this.physics.tripProtection(kind, Date.now());
  }

  get cellVoltages(): number[] {
    return this.readings().cellVoltages;
  }

  get mosLock(): { charge: boolean; discharge: boolean } {
    const mask = this.physics.lockMask;
    return { charge: (mask & 1) !== 0, discharge: (mask & 2) !== 0 };
  }

  /** Sets the software lock as an 0xE1 write would (bit 0 charge off, bit 1 discharge off). */
  setLockMask(mask: number): void {
    this.physics.readings(Date.now());
    this.physics.lockMask = mask & 3;
  }

  /** The BMS's answer to one request, or null when it ignores it (bad checksum, junk). */
  respond(request: Uint8Array): Uint8Array | null {
    return respond(this, request);
  }
}
