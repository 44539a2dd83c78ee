import { DEFAULT_POOL_OPTIONS } from "../src/pool";
import type { SimulatorOptions } from "../src/sim";
import { BenchWorld } from "./harness/bench-world";
import type { LatencyFigures, PolicyName, ReliabilityFigures } from "./harness/results";
import { POLICY_NAMES } from "./harness/results";
import { linearTrend, median, percentile } from "./harness/statistics";
import { inVirtualWorld } from "./harness/virtual-world";
import { POLICIES } from "./policies/policy";
import { measurePollLatency, measureRounds } from "./scenarios/latency";
import { measureLinkMemory } from "./scenarios/memory";
import { type ReliabilityReport, runReliability } from "./scenarios/reliability";
import { measureThroughput, type ThroughputFigures } from "./scenarios/throughput";

/** Every scenario's fixed settings, recorded in the results so a run can be repeated exactly. */
export const SETTINGS = {
  cells: 16,
  latency: { polls: 200, intervalMs: 10_000, seed: 101 },
  round8: { batteries: 8, rounds: 31, intervalMs: 10_000, seed: 202 },
  soak48h: { batteries: 8, hours: 48, intervalMs: 10_000, seed: 303, heapSampleEveryMs: 4 * 3600_000 },
  memory: { links: 32, seed: 404 },
  throughputBudgetMs: 3000,
} as const;

const sim = (
  batteries: number,
  faults: SimulatorOptions["faults"],
  latency: SimulatorOptions["latency"],
  seed: number,
) => ({ batteries, cells: SETTINGS.cells, faults, latency, seed }) satisfies SimulatorOptions;

export interface LatencyRun extends LatencyFigures {
  samples: number[];
}

/** One battery, realistic latency, no faults: poll latency per policy, and the link floor under our polls. */
export async function latencyFigures(): Promise<{ perPolicy: Record<PolicyName, LatencyRun>; linkFloorMs: number }> {
  const { polls, intervalMs, seed } = SETTINGS.latency;
  const perPolicy = {} as Record<PolicyName, LatencyRun>;
  let linkFloorMs = Number.NaN;
  for (const name of POLICY_NAMES) {
    perPolicy[name] = await inVirtualWorld(sim(1, "none", "realistic", seed), async (clock, world) => {
      const policy = POLICIES[name](world.makePool, { batteries: 1 });
      const address = world.addresses[0] as string;
      const floors: number[] = [];
      const samples = await measurePollLatency(clock, policy, address, polls, intervalMs, () =>
        floors.push(world.replies.takeReplyMs()),
      );
      await clock.run(policy.close());
      if (name === "pool") linkFloorMs = median(floors);
      return { medianMs: median(samples), p95Ms: percentile(samples, 95), samples };
    });
  }
  return { perPolicy, linkFloorMs };
}

export interface RoundRun {
  ms: number;
  coldMs: number;
  failures: number;
}

/** Eight batteries asked together every 10 s: the median time for a whole round once links are up. */
export async function round8Figures(): Promise<Record<PolicyName, RoundRun>> {
  const { batteries, rounds, intervalMs, seed } = SETTINGS.round8;
  const out = {} as Record<PolicyName, RoundRun>;
  for (const name of POLICY_NAMES) {
    out[name] = await inVirtualWorld(sim(batteries, "none", "realistic", seed), async (clock, world) => {
      const policy = POLICIES[name](world.makePool, { batteries });
      const times = await measureRounds(clock, policy, world.addresses, rounds, intervalMs);
      await clock.run(policy.close());
      return { ms: median(times.warmMs), coldMs: times.coldMs, failures: times.failures };
    });
  }
  return out;
}

export interface HeapSample {
  hours: number;
  heapUsed: number;
}

export interface SoakRun extends ReliabilityFigures {
  report: ReliabilityReport;
}

/** 48 simulated hours, eight batteries, flaky radio, per policy; heap sampled after gc during the pool's run. */
export async function soak48hFigures(
  onProgress: (name: PolicyName) => void,
): Promise<{ perPolicy: Record<PolicyName, SoakRun>; heap: HeapSample[] }> {
  const { batteries, hours, intervalMs, seed, heapSampleEveryMs } = SETTINGS.soak48h;
  const perPolicy = {} as Record<PolicyName, SoakRun>;
  const heap: HeapSample[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const name of POLICY_NAMES) {
    onProgress(name);
    perPolicy[name] = await inVirtualWorld(sim(batteries, "flaky", "realistic", seed), async (clock, world) => {
      const report = await runReliability({
        clock,
        policy: POLICIES[name](world.makePool, { batteries }),
        addresses: world.addresses,
        durationMs: hours * 3600_000,
        intervalMs,
        connectCounts: () => world.connectCounts(),
        ...(name === "pool" && gc !== undefined
          ? {
              heapSampleEveryMs,
              onHeapSample: (elapsedMs: number) => {
                gc();
                heap.push({ hours: elapsedMs / 3600_000, heapUsed: process.memoryUsage().heapUsed });
              },
            }
          : {}),
      });
      return {
        successRate: report.successRate,
        connectsPerDay: report.connectsPerDay,
        longestOutageS: report.longestOutageS,
        report,
      };
    });
  }
  return { perPolicy, heap };
}

export interface HeapVerdict {
  growthBytes: number;
  /** Bytes per simulated hour, from a least-squares line through the samples. */
  slopeBytesPerHour: number;
  rSquared: number;
  trend: boolean;
}

/**
 * Growth first-to-last, and whether it is a trend: a line through the samples that explains most of their
 * variance (R² >= 0.5) and would add more than 1 MiB over the run. Garbage-collector noise moves the heap by a
 * few hundred KiB either way and fits no line.
 */
export function heapVerdict(samples: readonly HeapSample[]): HeapVerdict {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || samples.length < 3) {
    return { growthBytes: Number.NaN, slopeBytesPerHour: Number.NaN, rSquared: Number.NaN, trend: false };
  }
  const line = linearTrend(
    samples.map((s) => s.hours),
    samples.map((s) => s.heapUsed),
  );
  const projected = line.slope * (last.hours - first.hours);
  return {
    growthBytes: last.heapUsed - first.heapUsed,
    slopeBytesPerHour: line.slope,
    rSquared: line.rSquared,
    trend: line.rSquared >= 0.5 && projected > 2 ** 20,
  };
}

/** Heap per cached link, over SETTINGS.memory.links open links (instant latency, virtual time). */
export async function memoryFigures(): Promise<{ bytesPerLink: number; links: number }> {
  const { links, seed } = SETTINGS.memory;
  return inVirtualWorld(sim(links + 1, "none", "instant", seed), async (clock, world) => {
    const pool = world.makePool({ ...DEFAULT_POOL_OPTIONS, keepOpen: true, maxLinks: links + 1 });
    const figures = await measureLinkMemory(clock, pool, world.addresses);
    await clock.run(pool.close());
    return figures;
  });
}

/** Polls per second and CPU per poll through the pool on real time, `instant` latency, one battery. */
export async function poolThroughputFigures(): Promise<ThroughputFigures> {
  const world = new BenchWorld(sim(1, "none", "instant", 505));
  const pool = world.makePool({ ...DEFAULT_POOL_OPTIONS });
  try {
    const address = world.addresses[0] as string;
    return await measureThroughput(() => pool.poll(address), SETTINGS.throughputBudgetMs);
  } finally {
    await pool.close();
    world.dispose();
  }
}
