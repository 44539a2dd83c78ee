import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { AdapterState } from "../../src/bindings/noble-bindings";
import { BleCentral } from "../../src/ble/ble-central";
import type { CentralStateChange } from "../../src/ble/central-types";
import { HostBindings, type HostBindingsOptions } from "../../src/ble/host/host-bindings";
import { BmsError } from "../../src/errors";
import type { AdapterConfig } from "../../src/nodes/adapter-radio";
import {
  type BmsPool,
  ConnectionPool,
  DEFAULT_POOL_OPTIONS,
  type LinkState,
  type LinkStateEvent,
  type PollResult,
  type PoolOptions,
} from "../../src/pool";
import { BatteryProcess } from "./battery-process";
import { PrivateBtvirt } from "./btvirt";
import { ensureEmulatorBuilt, missingPrerequisites } from "./emulator-build";
import { HciTap } from "./hci-tap";
import { type PhoneApp, phoneAppHolding } from "./phone-app-process";
import { emulatedHciEnv, nativeSocketEnv } from "./socket-injection";

/**
 * The emulated-HCI tier (README "Testing"): the pool and adapter host of transport "hci", with noble's real HCI code
 * in the host child, over BlueZ's controller emulator, with bleno batteries on controllers of their own. Each test
 * file gets a private btvirt; the adapter host reaches its controller through a tap where faults are scripted.
 */

export const HCI_ADAPTER: AdapterConfig = { transport: "hci", hciDevice: 0 };
/** The virtual batteries the bleno processes play (battery n of this world, as in the simulator). */
export const WORLD = { batteries: 4, cells: 4, seed: 12 } as const;
/** Short timeouts: btvirt answers in microseconds, and the scenarios wait for every one of them. */
export const TIER_POOL_OPTIONS: PoolOptions = {
  ...DEFAULT_POOL_OPTIONS,
  connectTimeoutMs: 3_000,
  commandTimeoutMs: 500,
  backoffInitialMs: 100,
  backoffMaxMs: 400,
};

/** The adapter host as createPool() makes it, with bounds short enough for a test (real time). */
export const TIER_HOST_OPTIONS: HostBindingsOptions = {
  restartInitialMs: 200,
  restartMaxMs: 1_000,
  adapterOffRestartMs: 1_500,
};
const DISCONNECT_TIMEOUT_MS = 1_000;
/**
 * A file whose scenarios have not ended by then is hung (a process or a wait that never ends), not slow: a file takes
 * seconds, at most about a minute on a busy machine. The suite then fails and its clean-up still runs, instead of
 * holding up the test run for ever. No step of the tier has a limit of its own in seconds: each waits for
 * the event that ends it, or for the process it waits on to end.
 */
const HANG_GUARD_MS = 10 * 60_000;

export interface Tier {
  btvirt: PrivateBtvirt;
  /** The adapter's controller, as the adapter host child reaches it. */
  adapter: HciTap;
  /** Starts battery n (1-based, of WORLD) on a controller of its own; `module` gives its module a password. */
  startBattery(index: number, module?: { password?: string }): Promise<BatteryProcess>;
  /** The phone app on a controller of its own, holding the battery at `address`; ended with the file if still up. */
  phoneAppHolding(address: string): Promise<PhoneApp>;
  openPool(options?: Partial<PoolOptions>): BmsPool;
  /** The adapter host behind every pool of this file (one per adapter, as the central registry keeps it). */
  host: HostBindings;
  central: BleCentral;
}

export interface TierOptions {
  /**
   * Run this socket module's own native code in the adapter host, over an emulated kernel HCI socket
   * (native/kernel-hci-socket-preload.c), instead of replacing the module with the userland socket.
   */
  nativeSocket?: string;
}

/**
 * A describe() whose tests get a running tier. Without the emulator's prerequisites the suite is skipped with the
 * reason, or fails under REQUIRE_HCI_EMULATION=1 (CI), so a machine that cannot run it never passes silently.
 */
export function describeWithTier(name: string, body: (tier: () => Tier) => void, options: TierOptions = {}): void {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    const reason = `emulated HCI tier needs ${missing.join(", ")} (apt-get install bluez-source gcc patch bzip2)`;
    if (process.env.REQUIRE_HCI_EMULATION === "1") {
      describe(name, () => {
        before(() => assert.fail(`${reason}; REQUIRE_HCI_EMULATION=1 forbids skipping`));
        body(() => assert.fail(reason));
      });
      return;
    }
    describe(name, { skip: reason }, () => undefined);
    return;
  }
  let tier: Tier | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  let closePools = async () => undefined;
  describe(name, { timeout: HANG_GUARD_MS }, () => {
    before(async () => {
      const binaries = ensureEmulatorBuilt();
      const btvirt = await PrivateBtvirt.start(binaries);
      cleanups.push(() => btvirt.stop());
      const adapter = await HciTap.open(btvirt.folder, "adapter", btvirt.leServer);
      cleanups.push(() => adapter.close());
      // The adapter host child inherits this environment: its HCI socket is the userland one, or the chosen module
      // over the emulated kernel socket, reaching the tap.
      Object.assign(
        process.env,
        options.nativeSocket === undefined
          ? emulatedHciEnv(adapter.path)
          : nativeSocketEnv(adapter.path, binaries.kernelHciSocket, options.nativeSocket),
      );
      const pools: BmsPool[] = [];
      const host = new HostBindings(HCI_ADAPTER, TIER_HOST_OPTIONS);
      const central = new BleCentral(host, { disconnectTimeoutMs: DISCONNECT_TIMEOUT_MS });
      // Runs first: the pools disconnect their links while the batteries are still there to confirm it.
      closePools = async () => {
        await Promise.all(pools.map((pool) => pool.close()));
        await host.dispose();
      };
      tier = {
        btvirt,
        adapter,
        startBattery: async (index, module = {}) => {
          const tap = await HciTap.open(btvirt.folder, `battery-${index}-${Date.now()}`, btvirt.leServer, {
            reportsVanishedPeers: true,
          });
          cleanups.push(() => tap.close());
          const battery = await BatteryProcess.start(tap.path, { index, ...WORLD, ...module });
          cleanups.push(() => battery.kill());
          return battery;
        },
        phoneAppHolding: async (address) => {
          const app = await phoneAppHolding(btvirt.leServer, address);
          cleanups.push(() => app.kill());
          return app;
        },
        openPool: (options = {}) => {
          const pool = new ConnectionPool(central, { ...TIER_POOL_OPTIONS, ...options });
          pools.push(pool);
          return pool;
        },
        host,
        central,
      };
    });
    after(async () => {
      await closePools().catch(() => undefined);
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    });
    body(() => {
      assert.ok(tier, "the tier is set up in before()");
      return tier;
    });
  });
}

/** The adapter's next reported state that `accept` takes (a state change, so a state it already has does not count). */
export function nextAdapterState(central: BleCentral, accept: (state: AdapterState) => boolean): Promise<AdapterState> {
  return new Promise((resolve) => {
    const listener = (change: CentralStateChange) => {
      if (!accept(change.state)) return;
      central.off("state", listener);
      resolve(change.state);
    };
    central.on("state", listener);
  });
}

/** Resolves when the pool next reports `state` for the battery at `address`. */
export function nextLinkState(pool: BmsPool, address: string, state: LinkState): Promise<void> {
  return new Promise((resolve) => {
    const listener = (event: LinkStateEvent) => {
      if (event.address !== address || event.state !== state) return;
      pool.off("state", listener);
      resolve();
    };
    pool.on("state", listener);
  });
}

/** How one poll ended: exactly one payload or one typed error (anything else fails the test). */
export type Outcome = { ok: true; result: PollResult } | { ok: false; error: BmsError };

export async function outcome(poll: Promise<PollResult>): Promise<Outcome> {
  try {
    return { ok: true, result: await poll };
  } catch (error) {
    assert.ok(error instanceof BmsError, `a poll failed with an untyped error: ${String(error)}`);
    return { ok: false, error };
  }
}

/** Polls until one returns data (at most `attempts`), collecting every outcome on the way. */
export async function pollUntilData(pool: BmsPool, address: string, attempts: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < attempts; i++) {
    const next = await outcome(pool.poll(address));
    outcomes.push(next);
    if (next.ok) return outcomes;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no data from ${address} in ${attempts} polls: ${outcomes.map(describeOutcome).join(", ")}`);
}

/** The idle timeout that pollsOverKeptAndIdleLinks expects its pool to have (and sweeps often enough to see it). */
export const SHORT_IDLE: Partial<PoolOptions> = { idleTimeoutMs: 300, sweepIntervalMs: 100 };

/**
 * `rounds` times: a poll over a new link, one over the kept link, then the link closes once idle (a pool opened with
 * SHORT_IDLE), so the next round connects afresh.
 */
export async function pollsOverKeptAndIdleLinks(pool: BmsPool, address: string, rounds: number): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    const first = await pool.poll(address);
    assert.equal(first.connection, "new");
    assert.equal(first.payload.cellCount, WORLD.cells);
    const closed = nextLinkState(pool, address, "closed");
    assert.equal((await pool.poll(address)).connection, "reused");
    // Closed by the idle sweep, however long the sweep takes to come round on a busy machine.
    await closed;
    assert.equal(pool.linkState(address), "closed", "the idle link was closed");
  }
}

export function describeOutcome(o: Outcome): string {
  return o.ok ? "data" : o.error.code;
}
