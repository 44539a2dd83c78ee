import type { VirtualClock } from "../../test/support/virtual-clock";
import type { PollPolicy } from "../policies/policy";

/**
 * Poll latency in simulated time: one battery polled `polls` times, one poll every `intervalMs` (or straight
 * after the previous one if that took longer). Each sample is the time from asking to having the payload;
 * `afterPoll` runs after each one (to read instruments for that poll).
 */
export async function measurePollLatency(
  clock: VirtualClock,
  policy: PollPolicy,
  address: string,
  polls: number,
  intervalMs: number,
  afterPoll?: () => void,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < polls; i++) {
    const startedAt = clock.elapsedMs();
    await clock.run(policy.poll(address));
    const tookMs = clock.elapsedMs() - startedAt;
    samples.push(tookMs);
    afterPoll?.();
    if (tookMs < intervalMs) await clock.advance(intervalMs - tookMs);
  }
  return samples;
}

export interface RoundTimes {
  /** The first round, which has to connect every battery. */
  coldMs: number;
  /** Every later round. */
  warmMs: number[];
  failures: number;
}

/**
 * Time for a whole round: all batteries asked at once (as bms-poll nodes on the same interval are), the round
 * ends when the last one has answered or failed. The next round starts `intervalMs` after this one started.
 */
export async function measureRounds(
  clock: VirtualClock,
  policy: PollPolicy,
  addresses: readonly string[],
  rounds: number,
  intervalMs: number,
): Promise<RoundTimes> {
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < rounds; i++) {
    const startedAt = clock.elapsedMs();
    const outcomes = await clock.run(Promise.allSettled(addresses.map((address) => policy.poll(address))));
    failures += outcomes.filter((o) => o.status === "rejected").length;
    const tookMs = clock.elapsedMs() - startedAt;
    times.push(tookMs);
    if (tookMs < intervalMs) await clock.advance(intervalMs - tookMs);
  }
  const [coldMs, ...warmMs] = times;
  return { coldMs: coldMs ?? 0, warmMs, failures };
}
