import type { BatterySpec } from "./battery-spec";
import { noiseAt, smoothNoise } from "./random";

const HOUR_MS = 3_600_000;
/** The integrator's largest step: current is taken as constant over one step. */
const STEP_MS = 60_000;
/** A clock jump longer than this (e.g. a fake clock set years ahead) is simulated only for its last stretch. */
const MAX_CATCH_UP_MS = 7 * 24 * HOUR_MS;

/** LiFePO4 open-circuit voltage per cell against state of charge: steep at both ends, flat in the middle. */
const OCV_CURVE: readonly (readonly [soc: number, volts: number])[] = [
  [0, 2.5],
  [2, 2.9],
  [5, 3.05],
  [10, 3.2],
  [20, 3.25],
  [30, 3.28],
  [40, 3.29],
  [50, 3.3],
  [60, 3.31],
  [70, 3.32],
  [80, 3.33],
  [90, 3.34],
  [95, 3.36],
  [98, 3.4],
  [100, 3.55],
];

/** Protection thresholds of a typical LiFePO4 JBD configuration. */
export const LIMITS = {
  cellOvervoltage: 3.65,
  cellUndervoltage: 2.6,
  /** A tripped cell over-voltage protection releases once the pack has come down below this SOC. */
  overvoltageReleaseSoc: 95,
  undervoltageReleaseSoc: 5,
  chargeMaxC: 55,
  chargeMinC: 0,
  dischargeMaxC: 65,
  dischargeMinC: -20,
  /** Balancing starts while charging when the cell spread reaches this, on cells this far above the lowest. */
  balanceStartDelta: 0.015,
  balanceWindow: 0.01,
} as const;

export function openCircuitVoltage(soc: number): number {
  const s = Math.min(100, Math.max(0, soc));
  for (let i = 1; i < OCV_CURVE.length; i++) {
    const [s1, v1] = OCV_CURVE[i] as readonly [number, number];
    if (s <= s1) {
      const [s0, v0] = OCV_CURVE[i - 1] as readonly [number, number];
      return v0 + ((v1 - v0) * (s - s0)) / (s1 - s0);
    }
  }
  return (OCV_CURVE[OCV_CURVE.length - 1] as readonly [number, number])[1];
}

/** Everything a 0x03/0x04 reply reports, at one instant. */
export interface PackReadings {
  /** A, positive while charging. */
  current: number;
  /** 0..100, fractional. */
  soc: number;
  residualAh: number;
  voltage: number;
  cellVoltages: number[];
  temperatures: number[];
  balancing: boolean[];
  /** Protection status word (PROTOCOL 3.2), bit 12 while a FET is software-locked. */
  protection: number;
  mos: { charge: boolean; discharge: boolean };
  cycles: number;
  /** V11 alarm word: bit 10 large cell difference, bit 11 low capacity. */
  alarm: number;
}

/**
 * The electro-chemistry of one pack on simulated time, advanced lazily: each reading integrates the load profile
 * over the time since the last one, so nothing runs between requests and the result depends only on the seed and
 * the clock. Current is a pure function of time (solar by day, loads by night, noise from a seeded hash), SOC
 * follows it by coulomb counting, cell voltages follow SOC through the OCV curve plus current x resistance plus a
 * fixed per-cell spread that widens near full and empty.
 */
export class PackPhysics {
  /** Software MOS lock from 0xE1: bit 0 charge off, bit 1 discharge off. Stays until another 0xE1 changes it. */
  lockMask = 0;
  /** A fixed current (A) replacing the profile, for tests and demos; null = follow the profile. */
  forcedCurrent: number | null = null;

  private residualAh: number;
  private lastMs: number;
  private dischargedAh = 0;
  private readonly temps: number[];
  private overvoltageTripped = false;
  private undervoltageTripped = false;
  private readonly cellOffsets: number[];
  private readonly ntcOffsets: number[];
  private readonly resistance: number;

  constructor(
    private readonly spec: BatterySpec,
    private readonly seed: number,
    nowMs: number,
    startSoc: number,
    private readonly baseCycles: number,
  ) {
    this.residualAh = (spec.nominalAh * startSoc) / 100;
    this.lastMs = nowMs;
    this.cellOffsets = Array.from({ length: spec.cells }, (_, i) => (noiseAt(seed, 100 + i) - 0.5) * 0.012);
    this.ntcOffsets = Array.from({ length: spec.ntcCount }, (_, i) => (noiseAt(seed, 200 + i) - 0.5) * 1.2);
    this.temps = this.ntcOffsets.map((offset) => this.ambient(nowMs) + offset);
    // About 1 mOhm per cell for 100 Ah, cell plus busbars; bigger cells have less.
    this.resistance = 0.1 / spec.nominalAh;
  }

  /** The load/charge profile at time t (ms since the epoch, UTC hours as the time of day). */
  profileCurrent(t: number): number {
    const hour = (((t / HOUR_MS) % 24) + 24) % 24;
    const clouds = 0.5 + 0.5 * smoothNoise(this.seed + 1, t, 20 * 60_000);
    const solar = hour > 6 && hour < 20 ? this.spec.solarPeakA * Math.sin((Math.PI * (hour - 6)) / 14) * clouds : 0;
    const base = this.spec.baseLoadA * (0.8 + 0.4 * smoothNoise(this.seed + 2, t, 5 * 60_000));
    const evening = hour >= 18 && hour < 23 ? this.spec.eveningLoadA : 0;
    const spike = noiseAt(this.seed + 3, Math.floor(t / 60_000)) > 0.95 ? 2 * this.spec.baseLoadA : 0;
    const jitter = (noiseAt(this.seed + 4, Math.floor(t / 5_000)) - 0.5) * 0.2;
    return solar - base - evening - spike + jitter;
  }

  setSoc(soc: number, nowMs: number): void {
    this.advanceTo(nowMs);
    this.residualAh = (this.spec.nominalAh * Math.min(100, Math.max(0, soc))) / 100;
    this.overvoltageTripped = false;
    this.undervoltageTripped = false;
  }

  readings(nowMs: number): PackReadings {
    this.advanceTo(nowMs);
    const current = Math.round(this.effectiveCurrent(nowMs) * 100) / 100;
    const soc = this.soc();
    const cellVoltages = this.cellVoltages(soc, current);
    const voltage = cellVoltages.reduce((a, b) => a + b, 0);
    const min = Math.min(...cellVoltages);
    const max = Math.max(...cellVoltages);
    const balancing = cellVoltages.map(
      (v) => current > 0.5 && max - min >= LIMITS.balanceStartDelta && v >= min + LIMITS.balanceWindow,
    );
    const tempProtection = this.temperatureFlags();
    const cells = this.spec.cells;
    let protection = 0;
    if (this.overvoltageTripped) protection |= 1 << 0;
    if (this.undervoltageTripped) protection |= 1 << 1;
    if (voltage >= cells * LIMITS.cellOvervoltage) protection |= 1 << 2;
    if (voltage <= cells * LIMITS.cellUndervoltage) protection |= 1 << 3;
    protection |= tempProtection;
    if (this.lockMask !== 0) protection |= 1 << 12;
    let alarm = 0;
    if (max - min > 0.1) alarm |= 1 << 10;
    if (soc < 10) alarm |= 1 << 11;
    return {
      current,
      soc,
      residualAh: this.residualAh,
      voltage,
      cellVoltages,
      temperatures: [...this.temps],
      balancing,
      protection,
      mos: this.fets(),
      cycles: this.baseCycles + Math.floor(this.dischargedAh / this.spec.nominalAh),
      alarm,
    };
  }

  private soc(): number {
    return (100 * this.residualAh) / this.spec.nominalAh;
  }

  private ambient(t: number): number {
    const hour = (((t / HOUR_MS) % 24) + 24) % 24;
    return 18 + 6 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
  }

  /** Temperature protection bits 4-7. */
  private temperatureFlags(): number {
    let bits = 0;
    const hottest = Math.max(...this.temps, -273);
    const coldest = Math.min(...this.temps, 1000);
    if (this.temps.length === 0) return 0;
    if (hottest >= LIMITS.chargeMaxC) bits |= 1 << 4;
    if (coldest <= LIMITS.chargeMinC) bits |= 1 << 5;
    if (hottest >= LIMITS.dischargeMaxC) bits |= 1 << 6;
    if (coldest <= LIMITS.dischargeMinC) bits |= 1 << 7;
    return bits;
  }

  private fets(): { charge: boolean; discharge: boolean } {
    const temp = this.temperatureFlags();
    return {
      charge: (this.lockMask & 1) === 0 && !this.overvoltageTripped && (temp & 0b0011_0000) === 0,
      discharge: (this.lockMask & 2) === 0 && !this.undervoltageTripped && (temp & 0b1100_0000) === 0,
    };
  }

  /** The profile current, cut to zero in the direction a FET that is off blocks. */
  private effectiveCurrent(t: number): number {
    const wanted = this.forcedCurrent ?? this.profileCurrent(t);
    const fets = this.fets();
    if (wanted > 0 && !fets.charge) return 0;
    if (wanted < 0 && !fets.discharge) return 0;
    return wanted;
  }

  private cellVoltages(soc: number, current: number): number[] {
    const ocv = openCircuitVoltage(soc);
    // Cells drift apart near full and near empty, where the OCV curve is steep.
    const spread = soc > 95 ? 4 : soc < 10 ? 2 : 1;
    return this.cellOffsets.map(
      (offset) => Math.round((ocv + offset * spread + current * this.resistance) * 1000) / 1000,
    );
  }

  private advanceTo(nowMs: number): void {
    if (nowMs <= this.lastMs) {
      // The clock went backwards (a fake clock installed after creation): restart from here.
      this.lastMs = Math.min(this.lastMs, nowMs);
      return;
    }
    if (nowMs - this.lastMs > MAX_CATCH_UP_MS) this.lastMs = nowMs - MAX_CATCH_UP_MS;
    while (this.lastMs < nowMs) {
      const dt = Math.min(STEP_MS, nowMs - this.lastMs);
      this.step(this.lastMs + dt / 2, dt);
      this.lastMs += dt;
    }
  }

  private step(midMs: number, dtMs: number): void {
    const current = this.effectiveCurrent(midMs);
    const hours = dtMs / HOUR_MS;
    const nominal = this.spec.nominalAh;
    this.residualAh += current * hours;
    if (current < 0) this.dischargedAh -= current * hours;
    if (this.residualAh >= nominal) {
      this.residualAh = nominal;
      if (current > 0) this.overvoltageTripped = true;
    }
    if (this.residualAh <= 0) {
      this.residualAh = 0;
      if (current < 0) this.undervoltageTripped = true;
    }
    const soc = this.soc();
    const cells = this.cellVoltages(soc, current);
    if (Math.max(...cells) >= LIMITS.cellOvervoltage) this.overvoltageTripped = true;
    if (Math.min(...cells) <= LIMITS.cellUndervoltage) this.undervoltageTripped = true;
    if (this.overvoltageTripped && soc < LIMITS.overvoltageReleaseSoc) this.overvoltageTripped = false;
    if (this.undervoltageTripped && soc > LIMITS.undervoltageReleaseSoc) this.undervoltageTripped = false;
    // Sensors settle towards ambient plus I^2 heating with a 20-minute time constant.
    const settle = 1 - Math.exp(-dtMs / (20 * 60_000));
    const target = this.ambient(midMs) + 0.02 * current * current;
    for (let i = 0; i < this.temps.length; i++) {
      const t = this.temps[i] as number;
      this.temps[i] = t + (target + (this.ntcOffsets[i] as number) - t) * settle;
    }
  }
}
