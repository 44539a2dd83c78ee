import type { BmsPool, PollResult, PoolOptions } from "../../src/pool";
import { DEFAULT_POOL_OPTIONS } from "../../src/pool";
import type { PolicyName } from "../harness/results";
import { Mutex } from "./mutex";

/** One way of turning "poll battery X" into BLE work; every policy runs over the same simulator. */
export interface PollPolicy {
  readonly name: PolicyName;
  poll(address: string): Promise<PollResult>;
  close(): Promise<void>;
}

/** Builds a pool over the benchmark's simulated adapter (see bench/harness/sim-world.ts). */
export type PoolFactory = (options: PoolOptions) => BmsPool;

export interface PolicySetup {
  /** Batteries polled in the scenario: the pool-based policies allow that many links, as a user would set. */
  batteries: number;
}

/** The cap on open links a user would set for this many batteries (the default 5 would evict every round). */
function linkCap(setup: PolicySetup): number {
  return Math.max(DEFAULT_POOL_OPTIONS.maxLinks, setup.batteries);
}

/** Ours: the pool with its default options (idle timeout 60 s, sweeper, connect gate, backoff). */
export function poolPolicy(makePool: PoolFactory, setup: PolicySetup): PollPolicy {
  const pool = makePool({ ...DEFAULT_POOL_OPTIONS, maxLinks: linkCap(setup) });
  return { name: "pool", poll: (address) => pool.poll(address), close: () => pool.close() };
}

/** Connect, read, disconnect on every poll: the pool with idle timeout 0 keeps no link between polls. */
export function connectPerPollPolicy(makePool: PoolFactory, setup: PolicySetup): PollPolicy {
  const pool = makePool({ ...DEFAULT_POOL_OPTIONS, idleTimeoutMs: 0, maxLinks: linkCap(setup) });
  return { name: "connectPerPoll", poll: (address) => pool.poll(address), close: () => pool.close() };
}

/**
 * One lock around every operation of every battery, reads on cached links included (the fix a Home Assistant
 * integration adopted): links are still cached for 60 s, but only one battery talks at a time.
 */
export function globalLockPolicy(makePool: PoolFactory, setup: PolicySetup): PollPolicy {
  const pool = makePool({ ...DEFAULT_POOL_OPTIONS, maxLinks: linkCap(setup) });
  const lock = new Mutex();
  return { name: "globalLock", poll: (address) => lock.run(() => pool.poll(address)), close: () => pool.close() };
}

/**
 * A link cache (60 s idle timeout) whose single lock is held while connecting: a read on a cached link takes the
 * lock only to look the link up, but that look-up waits behind any connect in progress, so one slow connect stalls
 * the reads of every other battery. A poll that has to connect holds the lock for the connect and its first read.
 */
export function lockedCachePolicy(makePool: PoolFactory, setup: PolicySetup): PollPolicy {
  const pool = makePool({ ...DEFAULT_POOL_OPTIONS, maxLinks: linkCap(setup) });
  const lock = new Mutex();
  const isCached = (address: string) => {
    const state = pool.linkState(address);
    return state === "idle" || state === "busy";
  };
  return {
    name: "lockedCache",
    poll: async (address) => {
      const cached = await lock.run(async () => isCached(address));
      if (cached) return pool.poll(address);
      return lock.run(() => pool.poll(address));
    },
    close: () => pool.close(),
  };
}

export const POLICIES: Record<PolicyName, (makePool: PoolFactory, setup: PolicySetup) => PollPolicy> = {
  pool: poolPolicy,
  connectPerPoll: connectPerPollPolicy,
  globalLock: globalLockPolicy,
  lockedCache: lockedCachePolicy,
};
