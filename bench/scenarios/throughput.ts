import type { BmsPool } from "../../src/pool";

export interface ThroughputFigures {
  pollsPerS: number;
  cpuUsPerPoll: number;
  polls: number;
}

/**
 * Polls per second and CPU time per poll through `pollOnce` on real time: with the `instant` latency model the
 * simulated radio costs next to nothing, so what is left is our stack (pool, session, link, noble, decoding) and
 * the simulator. Sequential polls: the figure is the cost of one poll, not of parallel radios.
 */
export async function measureThroughput(
  pollOnce: () => Promise<unknown>,
  budgetMs: number,
): Promise<ThroughputFigures> {
  // Warm-up: the first poll connects, and the JIT needs a few hundred rounds before timing means anything.
  for (let i = 0; i < 500; i++) await pollOnce();
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budgetNs = BigInt(budgetMs) * 1_000_000n;
  let polls = 0;
  let elapsedNs = 0n;
  while (elapsedNs < budgetNs) {
    for (let i = 0; i < 100; i++) await pollOnce();
    polls += 100;
    elapsedNs = process.hrtime.bigint() - start;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = Number(elapsedNs) / 1e9;
  return { pollsPerS: polls / seconds, cpuUsPerPoll: (cpu.user + cpu.system) / polls, polls };
}

/** The pool path: one battery, link kept open, polled back to back. */
export function poolPoller(pool: BmsPool, address: string): () => Promise<unknown> {
  return () => pool.poll(address);
}
