import { EventEmitter } from "node:events";
import { isAuthPassword } from "../protocol/auth";
import { type BatterySpec, defaultBatterySpec } from "./battery-spec";
import { DEFAULT_SEED, hash32, noiseAt } from "./random";
import { TimerSet } from "./timer-set";
import { type BatteryHost, VirtualBattery } from "./virtual-battery";

export interface SimWorldOptions {
  /** 1..99. */
  batteries: number;
  /** 4..32. */
  cells: number;
  seed?: number;
  /** The FF AA password of every battery's Bluetooth module (SimulatorOptions.password); absent: no FF AA. */
  password?: string;
  /**
   * Per-battery changes to the default spec, index 0 = battery 1 (e.g. `{ writeWithResponse: true }`, or another
   * name and address for a pack as users rename them).
   */
  specs?: (Partial<BatterySpec> | undefined)[];
}

/**
 * The batteries within radio range, shared by every simulated central (SimulatedBindings) that uses this world.
 * A battery holds one link at a time: connected to one central it refuses the others and stops advertising.
 * Emits `available(address)` whenever a battery becomes free, so scanning centrals can advertise it again.
 */
export class SimWorld extends EventEmitter implements BatteryHost {
  readonly batteries: readonly VirtualBattery[];
  readonly seed: number;
  private readonly timers = new TimerSet();
  private readonly byKey = new Map<string, VirtualBattery>();
  private centrals = 0;

  constructor(options: SimWorldOptions) {
    super();
    const { batteries, cells } = options;
    if (!Number.isInteger(batteries) || batteries < 1 || batteries > 99) {
      throw new RangeError(`simulator batteries must be 1..99, got ${batteries}`);
    }
    if (!Number.isInteger(cells) || cells < 4 || cells > 32) {
      throw new RangeError(`simulator cells must be 4..32, got ${cells}`);
    }
    if (options.password !== undefined && !isAuthPassword(options.password)) {
      throw new TypeError("simulator password must be exactly 6 printable ASCII characters");
    }
    this.seed = options.seed ?? DEFAULT_SEED;
    const list: VirtualBattery[] = [];
    for (let n = 1; n <= batteries; n++) {
      const spec = { ...defaultBatterySpec(n, batteries, cells), ...options.specs?.[n - 1] };
      const seed = hash32(this.seed, n);
      const startSoc = 35 + 50 * noiseAt(seed, 1);
      const baseCycles = 3 + Math.floor(200 * noiseAt(seed, 2));
      const battery = new VirtualBattery(n, spec, seed, this, startSoc, baseCycles);
      battery.modulePassword = options.password ?? null;
      if (this.byKey.has(battery.id))
        throw new RangeError(`two simulated batteries have the address ${battery.address}`);
      list.push(battery);
      this.byKey.set(battery.address.toLowerCase(), battery);
      this.byKey.set(battery.id, battery);
    }
    this.batteries = list;
  }

  /** By address (any case) or noble peripheral id. */
  battery(addressOrId: string): VirtualBattery | undefined {
    return this.byKey.get(addressOrId.toLowerCase());
  }

  /** A fresh id for a central joining this world; its index also seeds that central's random choices. */
  registerCentral(): { id: string; index: number } {
    this.centrals += 1;
    return { id: `central-${this.centrals}`, index: this.centrals };
  }

  batteryFreed(battery: VirtualBattery): void {
    this.emit("available", battery.address);
  }

  scheduleVacate(battery: VirtualBattery, ms: number): void {
    this.timers.after(ms, `vacate:${battery.id}`, () => battery.vacate());
  }

  cancelVacate(battery: VirtualBattery): void {
    this.timers.cancelGroup(`vacate:${battery.id}`);
  }

  /** Cancels the world's own timers (occupy expiry). */
  dispose(): void {
    this.timers.cancelAll();
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}
