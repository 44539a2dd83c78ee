import type { AdapterStateEvent, BmsPool, LinkStateEvent } from "../pool/types";

/**
 * Pool listeners registered through a scope are all removed by `dispose()`, so a node that closes cannot leave a
 * listener behind on a pool that outlives it (the Home Assistant nodes' pattern).
 */
export class PoolListenerScope {
  private readonly removers: (() => void)[] = [];

  constructor(private readonly pool: BmsPool) {}

  onState(listener: (event: LinkStateEvent) => void): void {
    this.pool.on("state", listener);
    this.removers.push(() => this.pool.off("state", listener));
  }

  onAdapter(listener: (event: AdapterStateEvent) => void): void {
    this.pool.on("adapter", listener);
    this.removers.push(() => this.pool.off("adapter", listener));
  }

  dispose(): void {
    for (const remove of this.removers.splice(0)) remove();
  }
}
