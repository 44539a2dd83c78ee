import * as fs from "node:fs";
import * as os from "node:os";
import { BleCentral } from "../../src/ble/ble-central";
import { HostBindings } from "../../src/ble/host/host-bindings";
import { ConnectionPool, DEFAULT_POOL_OPTIONS } from "../../src/pool";
import { BatteryProcess } from "../../test/hci-emulation/battery-process";
import { PrivateBtvirt } from "../../test/hci-emulation/btvirt";
import { ensureEmulatorBuilt, missingPrerequisites } from "../../test/hci-emulation/emulator-build";
import { HCI_ADAPTER, WORLD } from "../../test/hci-emulation/hci-tier";
import { emulatedHciEnv } from "../../test/hci-emulation/socket-injection";
import { median } from "../harness/statistics";

/**
 * Figures through noble's real HCI stack: the pool and adapter host of transport "hci", noble's HCI code in the host
 * child over the userland socket, BlueZ's controller emulator, one bleno battery. btvirt has no radio timing, so these
 * are CPU and protocol costs, not air time. No tap: the host reaches btvirt directly.
 */
export interface HciFigures {
  /** Kept link, one poll (0x03 + 0x04). */
  pollMedianMs: number;
  /** Connect + discovery + subscribe + first poll. */
  connectCycleMs: number;
  /** CPU of the adapter host child per poll (from /proc). */
  hostCpuUsPerPoll: number;
  /** CPU of this process per poll: pool, session, noble above the bindings, IPC. */
  parentCpuUsPerPoll: number;
  /** Sequential polls per second, one battery, kept link. */
  pollsPerS: number;
  /** CPU of the test rig per poll: the bleno battery and btvirt (not the product: a real adapter has neither). */
  rigCpuUsPerPoll: number;
  /**
   * Time the four processes of the chain (this one, the adapter host, btvirt, the battery) spent ready to run but
   * waiting for a CPU, per poll, summed (from /proc/<pid>/task/<tid>/schedstat); null where the kernel keeps no such
   * statistics. Where polls take several milliseconds, this is where the time went.
   */
  cpuWaitUsPerPoll: number | null;
  /** The machine's 1-minute load average when the measurement ended (the machine is shared). */
  loadAverage: number;
}

const CLOCK_TICKS_PER_S = 100;

/** utime + stime of a process in µs (Linux /proc, clock ticks of 10 ms). */
function processCpuUs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_S;
}

/** Time every thread of a process has spent runnable but not running, in µs; undefined without schedstat. */
function processCpuWaitUs(pid: number): number | undefined {
  try {
    let waitedNs = 0;
    for (const thread of fs.readdirSync(`/proc/${pid}/task`)) {
      waitedNs += Number(fs.readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[1]);
    }
    return Number.isFinite(waitedNs) ? waitedNs / 1e3 : undefined;
  } catch {
    return undefined;
  }
}

/** The summed CPU wait of `pids`, or undefined if any of them has no schedstat. */
function chainCpuWaitUs(pids: number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const waited = processCpuWaitUs(pid);
    if (waited === undefined) return undefined;
    total += waited;
  }
  return total;
}

export async function hciFigures(budgetMs: number): Promise<HciFigures | { missing: string }> {
  const missing = missingPrerequisites();
  if (missing.length > 0) return { missing: missing.join(", ") };
  const btvirt = await PrivateBtvirt.start(ensureEmulatorBuilt());
  const savedEnv = { ...process.env };
  Object.assign(process.env, emulatedHciEnv(btvirt.leServer));
  const host = new HostBindings(HCI_ADAPTER);
  const pool = new ConnectionPool(new BleCentral(host), { ...DEFAULT_POOL_OPTIONS, keepOpen: true });
  let battery: BatteryProcess | undefined;
  try {
    battery = await BatteryProcess.start(btvirt.leServer, { index: 1, ...WORLD });
    const address = battery.address;
    const cycles: number[] = [];
    for (let i = 0; i < 20; i++) {
      await pool.reconnect(address);
      const t0 = process.hrtime.bigint();
      await pool.poll(address);
      cycles.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    for (let i = 0; i < 200; i++) await pool.poll(address); // warm-up
    const latencies: number[] = [];
    const pid = host.childPid as number;
    const rig = [battery.pid, btvirt.pid].filter((p): p is number => p !== undefined);
    const rigCpuUs = () => rig.reduce((sum, p) => sum + processCpuUs(p), 0);
    const chain = [process.pid, pid, ...rig];
    const waitBefore = chainCpuWaitUs(chain);
    const rigBefore = rigCpuUs();
    const hostBefore = processCpuUs(pid);
    const parentBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    let polls = 0;
    while (Number(process.hrtime.bigint() - started) / 1e6 < budgetMs) {
      const t0 = process.hrtime.bigint();
      await pool.poll(address);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      polls += 1;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const parent = process.cpuUsage(parentBefore);
    const waitAfter = chainCpuWaitUs(chain);
    return {
      pollMedianMs: median(latencies),
      connectCycleMs: median(cycles),
      hostCpuUsPerPoll: (processCpuUs(pid) - hostBefore) / polls,
      parentCpuUsPerPoll: (parent.user + parent.system) / polls,
      pollsPerS: polls / seconds,
      rigCpuUsPerPoll: (rigCpuUs() - rigBefore) / polls,
      cpuWaitUsPerPoll: waitBefore === undefined || waitAfter === undefined ? null : (waitAfter - waitBefore) / polls,
      loadAverage: os.loadavg()[0] ?? 0,
    };
  } finally {
    await pool.close();
    await host.dispose();
    await battery?.kill();
    await btvirt.stop();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
}
