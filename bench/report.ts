import type { BenchResults, PolicyName } from "./harness/results";
import { POLICY_NAMES } from "./harness/results";
import { formatTable, formatNumber as n } from "./harness/table";

/** The targets from the "Prove it" issue; goals to report against, never test assertions. */
export const TARGETS = {
  latencyOverFloor: 1.1,
  latencyVsConnectPerPoll: 10,
  round8VsGlobalLock: 4,
  successRate: 0.995,
  poolPollsPerS: 5000,
  flowPollsPerS: 2000,
  bytesPerLink: 64 * 1024,
  framesPerS: 500_000,
  hciCpuUsPerPoll: 1_000,
  hciPollsPerS: 1_000,
} as const;

const mark = (ok: boolean | null) => (ok === null ? "n/a" : ok ? "yes" : "NO");

/** The readable form of a run: the same figures as the JSON, one table per question. */
export function formatReport(r: BenchResults): string {
  const ratio = (a: number, b: number) => `${n(a / b, 1)}x`;
  const policyRows = (row: (name: PolicyName) => string[]) => POLICY_NAMES.map((name) => [name, ...row(name)]);

  const latency = formatTable(
    `Poll latency, one battery, realistic latency (simulated ms; link floor ${n(r.latency.linkFloorMs, 1)} ms)`,
    ["policy", "median", "p95", "median/floor", "connectPerPoll/this"],
    policyRows((name) => [
      n(r.latency[name].medianMs, 1),
      n(r.latency[name].p95Ms, 1),
      n(r.latency[name].medianMs / r.latency.linkFloorMs, 2),
      ratio(r.latency.connectPerPoll.medianMs, r.latency[name].medianMs),
    ]),
  );
  const round8 = formatTable(
    "Round of eight batteries every 10 s, realistic latency (simulated ms, median of warm rounds)",
    ["policy", "round", "this/pool"],
    policyRows((name) => [n(r.round8[name].ms, 0), ratio(r.round8[name].ms, r.round8.pool.ms)]),
  );
  const soak = formatTable(
    "48 simulated hours, eight batteries, 10 s interval, flaky radio",
    ["policy", "polls with data", "connects/battery/day", "longest outage"],
    policyRows((name) => [
      `${n(r.soak48h[name].successRate * 100, 2)} %`,
      n(r.soak48h[name].connectsPerDay, 1),
      `${n(r.soak48h[name].longestOutageS, 0)} s`,
    ]),
  );
  const flow = r.throughput.flowPollsPerS;
  const other = formatTable(
    "Throughput (instant latency, real time), memory and decoding",
    ["figure", "value", "target", "met"],
    [
      [
        "pool polls/s",
        n(r.throughput.poolPollsPerS),
        `>= ${n(TARGETS.poolPollsPerS)}`,
        mark(r.throughput.poolPollsPerS >= TARGETS.poolPollsPerS),
      ],
      ["pool CPU µs/poll", n(r.throughput.poolCpuUsPerPoll, 1), "", ""],
      [
        "Node-RED flow polls/s",
        n(flow),
        `>= ${n(TARGETS.flowPollsPerS)}`,
        mark(flow === null ? null : flow >= TARGETS.flowPollsPerS),
      ],
      [
        "heap per cached link",
        `${n(r.memory.bytesPerLink / 1024, 1)} KiB`,
        `< ${n(TARGETS.bytesPerLink / 1024)} KiB`,
        mark(r.memory.bytesPerLink < TARGETS.bytesPerLink),
      ],
      ["heap growth over 48 h", `${n(r.memory.heapGrowthBytes / 1024, 0)} KiB`, "no trend", mark(!r.memory.heapTrend)],
      [
        "frames decoded/s",
        n(r.decode.framesPerS),
        `>= ${n(TARGETS.framesPerS)}`,
        mark(r.decode.framesPerS >= TARGETS.framesPerS),
      ],
      ["reassembly kB/s, healthy stream", n(r.flood.healthyBytesPerS / 1000), "", ""],
      [
        "reassembly kB/s, 0xDD flood",
        n(r.flood.floodBytesPerS / 1000),
        ">= healthy",
        mark(r.flood.floodBytesPerS >= r.flood.healthyBytesPerS),
      ],
      [
        "reassembly kB/s, DD 00 00 flood",
        n(r.flood.headerFloodBytesPerS / 1000),
        ">= healthy",
        mark(r.flood.headerFloodBytesPerS >= r.flood.healthyBytesPerS),
      ],
    ],
  );
  const h = r.hci;
  const hciCpu = h === null ? null : h.hostCpuUsPerPoll + h.parentCpuUsPerPoll;
  const hci = formatTable(
    "Through noble's HCI stack on the emulated controller (btvirt has no radio timing: CPU and protocol cost)",
    ["figure", "value", "target", "met"],
    [
      ["hci.pollMedianMs (kept link)", n(h?.pollMedianMs, 2), "", ""],
      ["hci.connectCycleMs (scan, connect, discovery, subscribe, first poll)", n(h?.connectCycleMs, 1), "", ""],
      ["hci.hostCpuUsPerPoll (adapter host child)", n(h?.hostCpuUsPerPoll, 0), "", ""],
      ["hci.parentCpuUsPerPoll (Node-RED side, IPC included)", n(h?.parentCpuUsPerPoll, 0), "", ""],
      [
        "host + parent CPU µs/poll",
        n(hciCpu, 0),
        `<= ${n(TARGETS.hciCpuUsPerPoll)}`,
        mark(hciCpu === null ? null : hciCpu <= TARGETS.hciCpuUsPerPoll),
      ],
      ["hci.rigCpuUsPerPoll (bleno battery + btvirt: test rig, not product)", n(h?.rigCpuUsPerPoll, 0), "", ""],
      ["hci.cpuWaitUsPerPoll (the four processes waiting for a CPU)", n(h?.cpuWaitUsPerPoll, 0), "", ""],
      ["load average (1 min) at the end of the hci run", n(h?.loadAverage, 2), "", ""],
      [
        "hci.pollsPerS (sequential)",
        n(h?.pollsPerS),
        `>= ${n(TARGETS.hciPollsPerS)}`,
        mark(h === null ? null : h.pollsPerS >= TARGETS.hciPollsPerS),
      ],
    ],
  );
  const goals = formatTable(
    "Targets",
    ["goal", "measured", "met"],
    [
      [
        "pool median within 10 % of link floor",
        n(r.latency.pool.medianMs / r.latency.linkFloorMs, 3),
        mark(r.latency.pool.medianMs <= r.latency.linkFloorMs * TARGETS.latencyOverFloor),
      ],
      [
        "pool median >= 10x below connect-per-poll",
        ratio(r.latency.connectPerPoll.medianMs, r.latency.pool.medianMs),
        mark(r.latency.connectPerPoll.medianMs >= r.latency.pool.medianMs * TARGETS.latencyVsConnectPerPoll),
      ],
      [
        "round of eight >= 4x faster than global lock",
        ratio(r.round8.globalLock.ms, r.round8.pool.ms),
        mark(r.round8.globalLock.ms >= r.round8.pool.ms * TARGETS.round8VsGlobalLock),
      ],
      [
        ">= 99.5 % polls with data over 48 h flaky",
        `${n(r.soak48h.pool.successRate * 100, 2)} %`,
        mark(r.soak48h.pool.successRate >= TARGETS.successRate),
      ],
    ],
  );
  const m = r.machine;
  const footer = `Machine: ${m.cpuModel} (${m.cpuCount} cores), Node ${m.node}, ${m.platform}. Bench took ${n(r.durationS, 0)} s.`;
  return [latency, round8, soak, other, hci, goals, footer].join("\n\n");
}
