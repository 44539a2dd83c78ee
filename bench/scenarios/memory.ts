import type { BmsPool } from "../../src/pool";
import type { VirtualClock } from "../../test/support/virtual-clock";

export interface LinkMemoryFigures {
  bytesPerLink: number;
  links: number;
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("memory figures need node --expose-gc");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap cost of one cached link: open one link first (so the stack's one-off allocations are in the baseline),
 * then `addresses.length - 1` more, and divide the heap difference after gc by the number of extra links. The
 * figure includes everything a link keeps alive: pool entry, session, link, noble's peripheral, service and
 * characteristic objects, and the simulator's side of the connection, so it is an upper bound for our part.
 */
export async function measureLinkMemory(
  clock: VirtualClock,
  pool: BmsPool,
  addresses: readonly string[],
): Promise<LinkMemoryFigures> {
  const [first, ...rest] = addresses;
  if (first === undefined || rest.length === 0) throw new RangeError("need two or more batteries");
  await clock.run(pool.poll(first));
  const before = heapAfterGc();
  for (const address of rest) await clock.run(pool.poll(address));
  for (const address of addresses) {
    const state = pool.linkState(address);
    if (state !== "idle") throw new Error(`memory bench: ${address} is ${state}, not an idle cached link`);
  }
  const after = heapAfterGc();
  return { bytesPerLink: (after - before) / rest.length, links: rest.length };
}
