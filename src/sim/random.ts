/** The seed used when SimulatorOptions.seed is not given, so an unseeded run is still reproducible. */
export const DEFAULT_SEED = 0x1b_d5_0b_35;

/** Mixes two 32-bit integers into one (a small avalanche hash), for deriving seeds and time-indexed noise. */
export function hash32(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A value in [0, 1) fixed by (seed, index): noise that depends on simulated time only, not on who asks when. */
export function noiseAt(seed: number, index: number): number {
  return hash32(seed, index) / 0x1_0000_0000;
}

/** Smooth noise in [0, 1): cosine interpolation between fixed points one `period` apart. */
export function smoothNoise(seed: number, t: number, period: number): number {
  const x = t / period;
  const i = Math.floor(x);
  const f = (1 - Math.cos((x - i) * Math.PI)) / 2;
  return noiseAt(seed, i) * (1 - f) + noiseAt(seed, i + 1) * f;
}

/** mulberry32: a tiny seeded PRNG. Every random choice of the simulator comes from one of these. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** Uniform in [min, max]. */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** True with probability p (p <= 0 never draws true, p >= 1 always does). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** Integer in [0, n). */
  index(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponentially distributed waiting time with the given mean (memoryless: link drops, power cuts). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}
