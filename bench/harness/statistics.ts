/** Small statistics for benchmark samples. Inputs are not modified. */

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError("no samples");
  return [...samples].sort((a, b) => a - b);
}

/** Percentile by linear interpolation between closest ranks (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  const s = sorted(samples);
  const rank = (p / 100) * (s.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = s[low] as number;
  return lowValue + ((s[high] as number) - lowValue) * (rank - low);
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError("no samples");
  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

export interface LinearTrend {
  /** Change of y per unit of x. */
  slope: number;
  /** Share of the variance the line explains (0..1); 0 when y does not vary. */
  rSquared: number;
}

/** Least-squares line through (x, y) points: is a series drifting, and how steadily? */
export function linearTrend(xs: readonly number[], ys: readonly number[]): LinearTrend {
  if (xs.length !== ys.length || xs.length < 2) throw new RangeError("need two or more (x, y) pairs");
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError("x does not vary");
  const slope = sxy / sxx;
  const rSquared = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, rSquared };
}
