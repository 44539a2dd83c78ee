import { machineInfo } from "./harness/machine";
import { type BenchResults, RESULTS_PATH, writeResults } from "./harness/results";
import {
  heapVerdict,
  latencyFigures,
  memoryFigures,
  poolThroughputFigures,
  round8Figures,
  SETTINGS,
  soak48hFigures,
} from "./measure";
import { formatReport } from "./report";
import { benchDecode } from "./scenarios/decode";
import { measureFlowThroughput } from "./scenarios/flow-throughput";
import { hciFigures } from "./scenarios/hci";

/**
 * `npm run bench`: every figure of the "Prove it" issue in one run, printed as tables and written to
 * bench/results/latest.json. Long runs use virtual time; CPU figures (decode, throughput) use real time and run
 * first, before the long runs have grown the heap.
 */
async function main(): Promise<void> {
  const startedAt = process.hrtime.bigint();
  const progress = (step: string) => process.stderr.write(`bench: ${step}\n`);

  progress("frame decoding");
  const decode = benchDecode();
  progress("throughput through the pool");
  const poolThroughput = await poolThroughputFigures();
  progress("throughput through a Node-RED flow");
  let flowPollsPerS: number | null = null;
  try {
    flowPollsPerS = (await measureFlowThroughput(SETTINGS.throughputBudgetMs))?.pollsPerS ?? null;
  } catch (error) {
    progress(`  flow figure missing: ${(error as Error).message}`);
  }
  if (flowPollsPerS === null) progress("  flow figure missing: the bms-poll node could not run a poll");
  progress("through noble's HCI stack on the emulated controller");
  const hciRun = await hciFigures(SETTINGS.throughputBudgetMs);
  if ("missing" in hciRun) progress(`  hci figures missing: the emulator needs ${hciRun.missing}`);
  progress("memory per cached link");
  const memory = await memoryFigures();
  progress("poll latency (one battery)");
  const latency = await latencyFigures();
  progress("rounds of eight batteries");
  const round8 = await round8Figures();
  const soak = await soak48hFigures((name) => progress(`48 simulated hours: ${name}`));
  const heap = heapVerdict(soak.heap);

  const results: BenchResults = {
    machine: machineInfo(),
    durationS: Number(process.hrtime.bigint() - startedAt) / 1e9,
    latency: {
      pool: pick(latency.perPolicy.pool),
      connectPerPoll: pick(latency.perPolicy.connectPerPoll),
      globalLock: pick(latency.perPolicy.globalLock),
      lockedCache: pick(latency.perPolicy.lockedCache),
      linkFloorMs: latency.linkFloorMs,
    },
    round8: {
      pool: { ms: round8.pool.ms },
      connectPerPoll: { ms: round8.connectPerPoll.ms },
      globalLock: { ms: round8.globalLock.ms },
      lockedCache: { ms: round8.lockedCache.ms },
    },
    soak48h: {
      pool: reliability(soak.perPolicy.pool),
      connectPerPoll: reliability(soak.perPolicy.connectPerPoll),
      globalLock: reliability(soak.perPolicy.globalLock),
      lockedCache: reliability(soak.perPolicy.lockedCache),
    },
    throughput: {
      poolPollsPerS: poolThroughput.pollsPerS,
      poolCpuUsPerPoll: poolThroughput.cpuUsPerPoll,
      flowPollsPerS,
    },
    memory: { bytesPerLink: memory.bytesPerLink, heapGrowthBytes: heap.growthBytes, heapTrend: heap.trend },
    decode: { framesPerS: decode.framesPerS },
    hci: "missing" in hciRun ? null : hciRun,
  };
  writeResults({
    ...results,
    // Detail beyond the contract keys, for whoever digs into a figure.
    detail: {
      settings: SETTINGS,
      round8ColdMs: Object.fromEntries(Object.entries(round8).map(([k, v]) => [k, v.coldMs])),
      soak48hFailuresByCode: Object.fromEntries(
        Object.entries(soak.perPolicy).map(([k, v]) => [k, v.report.failuresByCode]),
      ),
      heapSamples: soak.heap,
      heapSlopeBytesPerHour: heap.slopeBytesPerHour,
      heapRSquared: heap.rSquared,
      memoryLinks: memory.links,
    },
  });
  console.log(formatReport(results));
  console.log(`\nWrote ${RESULTS_PATH}`);
}

function pick(figures: { medianMs: number; p95Ms: number }) {
  return { medianMs: figures.medianMs, p95Ms: figures.p95Ms };
}

function reliability(figures: { successRate: number; connectsPerDay: number; longestOutageS: number }) {
  return {
    successRate: figures.successRate,
    connectsPerDay: figures.connectsPerDay,
    longestOutageS: figures.longestOutageS,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
