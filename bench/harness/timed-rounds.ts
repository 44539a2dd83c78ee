/**
 * Runs `runRounds` for a real-time budget after a warm-up (so the JIT has settled before timing) and returns how many
 * rounds ran in how many seconds: the shared loop of the CPU benchmarks.
 */
export function timedRounds(
  runRounds: (rounds: number) => void,
  budgetMs: number,
): { rounds: number; seconds: number } {
  runRounds(20_000);
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const budgetNs = BigInt(budgetMs) * 1_000_000n;
  while (elapsedNs < budgetNs) {
    runRounds(5_000);
    rounds += 5_000;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return { rounds, seconds: Number(elapsedNs) / 1e9 };
}
