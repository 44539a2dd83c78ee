import { BmsError } from "../../src/errors";
import type { BmsPayload } from "../../src/protocol";
import type { VirtualClock } from "../../test/support/virtual-clock";
import type { PollPolicy } from "../policies/policy";

export interface ReliabilityRun {
  clock: VirtualClock;
  policy: PollPolicy;
  addresses: readonly string[];
  durationMs: number;
  intervalMs: number;
  /** Successful connects so far per address, read at the end of the run. */
  connectCounts(): ReadonlyMap<string, number>;
  /** Called with every payload that came back, to check it against the simulated battery. */
  onPayload?(address: string, payload: BmsPayload): void;
  /** Called every `heapSampleEveryMs` of simulated time, first after one such period (once links are up). */
  heapSampleEveryMs?: number;
  onHeapSample?(elapsedMs: number): void;
}

export interface BatteryReliability {
  address: string;
  /** Interval ticks: one chance to get data each. */
  slots: number;
  /** Polls started (a tick while the previous poll still runs starts none: that slot gets no data). */
  polls: number;
  successes: number;
  failures: number;
  connects: number;
  longestOutageMs: number;
}

export interface ReliabilityReport {
  perBattery: BatteryReliability[];
  /** Failures by error code, over all batteries. */
  failuresByCode: Record<string, number>;
  /** Rejections that were not a BmsError: must stay empty (every failure is typed). */
  untypedFailures: unknown[];
  successRate: number;
  connectsPerDay: number;
  longestOutageS: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Polls every battery at a fixed interval for the whole run, as one bms-poll node per battery with an interval
 * would, and counts what came back. A tick that finds the battery's previous poll still running is a slot without
 * data: that is how a slow strategy shows up to a user. The run ends by letting in-flight polls settle and closing
 * the policy, so every started poll is accounted for.
 */
export async function runReliability(run: ReliabilityRun): Promise<ReliabilityReport> {
  const { clock, policy, addresses, durationMs, intervalMs } = run;
  const start = clock.elapsedMs();
  const failuresByCode: Record<string, number> = {};
  const untypedFailures: unknown[] = [];
  const inFlight = new Set<Promise<void>>();

  const batteries = addresses.map((address) => {
    const stats: BatteryReliability = {
      address,
      slots: 0,
      polls: 0,
      successes: 0,
      failures: 0,
      connects: 0,
      longestOutageMs: 0,
    };
    let lastSuccessAt = start;
    let busy = false;
    const noteSuccess = () => {
      const now = clock.elapsedMs();
      stats.longestOutageMs = Math.max(stats.longestOutageMs, now - lastSuccessAt);
      lastSuccessAt = now;
    };
    const tick = () => {
      stats.slots++;
      if (busy) return;
      busy = true;
      stats.polls++;
      const done: Promise<void> = policy.poll(address).then(
        (result) => {
          stats.successes++;
          noteSuccess();
          run.onPayload?.(address, result.payload);
        },
        (error: unknown) => {
          stats.failures++;
          if (error instanceof BmsError) failuresByCode[error.code] = (failuresByCode[error.code] ?? 0) + 1;
          else untypedFailures.push(error);
        },
      );
      const tracked = done.finally(() => {
        busy = false;
        inFlight.delete(tracked);
      });
      inFlight.add(tracked);
    };
    return { stats, tick, finish: () => noteSuccessAtEnd(stats, lastSuccessAt, clock.elapsedMs()) };
  });

  const tickAll = () => {
    for (const battery of batteries) battery.tick();
  };
  const sampleHeap = () => run.onHeapSample?.(clock.elapsedMs() - start);

  tickAll();
  const ticker = setInterval(tickAll, intervalMs);
  const sampler = run.heapSampleEveryMs === undefined ? undefined : setInterval(sampleHeap, run.heapSampleEveryMs);
  await clock.advance(durationMs);
  clearInterval(ticker);
  if (sampler !== undefined) clearInterval(sampler);
  for (const battery of batteries) battery.finish();
  // Polls still running when the time is up settle (or fail) now; none may be left without an outcome.
  if (inFlight.size > 0) await clock.run(Promise.all([...inFlight]));
  await clock.run(policy.close());

  const counts = run.connectCounts();
  const perBattery = batteries.map(({ stats }) => ({ ...stats, connects: counts.get(stats.address) ?? 0 }));
  const slots = perBattery.reduce((sum, b) => sum + b.slots, 0);
  const successes = perBattery.reduce((sum, b) => sum + b.successes, 0);
  const connects = perBattery.reduce((sum, b) => sum + b.connects, 0);
  return {
    perBattery,
    failuresByCode,
    untypedFailures,
    successRate: slots === 0 ? 0 : successes / slots,
    connectsPerDay: connects / perBattery.length / (durationMs / DAY_MS),
    longestOutageS: Math.max(...perBattery.map((b) => b.longestOutageMs)) / 1000,
  };
}

/** The stretch from the last success to the end of the run is an outage too. */
function noteSuccessAtEnd(stats: BatteryReliability, lastSuccessAt: number, now: number): void {
  stats.longestOutageMs = Math.max(stats.longestOutageMs, now - lastSuccessAt);
}
