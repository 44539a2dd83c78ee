import type { BmsError } from "../errors";

interface SlotWaiter {
  owner: string;
  grant(): void;
  refuse(error: BmsError): void;
}

/**
 * The cap on open (or opening) links. A connect takes a slot before it starts and gives it back when the link
 * closes or the attempt fails; beyond the cap, connects wait in a first-come-first-served line.
 */
export class LinkSlots {
  private readonly holders = new Set<string>();
  private readonly waiters: SlotWaiter[] = [];

  constructor(private readonly capacity: number) {}

  get inUse(): number {
    return this.holders.size;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  holds(owner: string): boolean {
    return this.holders.has(owner);
  }

  tryTake(owner: string): boolean {
    if (this.holders.has(owner)) return true;
    if (this.holders.size >= this.capacity || this.waiters.length > 0) return false;
    this.holders.add(owner);
    return true;
  }

  /** Waits in line for a slot. */
  wait(owner: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ owner, grant: resolve, refuse: reject });
    });
  }

  give(owner: string): void {
    if (!this.holders.delete(owner)) return;
    this.grantWaiting();
  }

  /** Turns away the waiters of one owner (release) or of everyone (pool close). */
  refuse(error: BmsError, owner?: string): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i] as SlotWaiter;
      if (owner !== undefined && waiter.owner !== owner) continue;
      this.waiters.splice(i, 1);
      waiter.refuse(error);
    }
    this.grantWaiting();
  }

  private grantWaiting(): void {
    while (this.holders.size < this.capacity) {
      const next = this.waiters.shift();
      if (!next) return;
      this.holders.add(next.owner);
      next.grant();
    }
  }
}
