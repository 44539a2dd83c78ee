import type { NobleBindings } from "../../src/bindings/noble-bindings";
import { BleCentral } from "../../src/ble/ble-central";
import type { BmsPool, PoolOptions } from "../../src/pool";
import { ConnectionPool } from "../../src/pool";
import { SimulatedBindings, type SimulatorOptions, simAddress } from "../../src/sim";
import { ReplyProbe } from "./reply-probe";

export type ListenerCounts = ReturnType<BleCentral["listenerCounts"]>;

function addressOfPeripheralId(id: string): string {
  return (id.toUpperCase().match(/../g) ?? []).join(":");
}

/**
 * One simulated adapter as every benchmark sees it: the simulator's bindings, our BleCentral (real noble) over
 * them, pools built on that central, and the measuring instruments that watch the bindings from outside.
 */
export class BenchWorld {
  readonly sim: SimulatedBindings;
  readonly central: BleCentral;
  readonly addresses: readonly string[];
  readonly replies: ReplyProbe;
  /** Listeners on noble, the bindings and the central once the world is built, before any pool exists. */
  readonly listenerBaseline: ListenerCounts;
  private readonly connects = new Map<string, number>();
  private readonly onConnect = (peripheralId: string, error: unknown) => {
    if (error !== null && error !== undefined) return;
    const address = addressOfPeripheralId(peripheralId);
    this.connects.set(address, (this.connects.get(address) ?? 0) + 1);
  };

  constructor(readonly options: SimulatorOptions) {
    this.sim = new SimulatedBindings(options);
    const bindings: NobleBindings = this.sim;
    bindings.on("connect", this.onConnect);
    this.replies = new ReplyProbe(bindings);
    this.central = new BleCentral(bindings);
    this.addresses = Array.from({ length: options.batteries }, (_, i) => simAddress(i + 1));
    this.listenerBaseline = this.central.listenerCounts();
  }

  makePool = (options: PoolOptions): BmsPool => new ConnectionPool(this.central, options);

  /** Successful connects per address since the world was made. */
  connectCounts(): ReadonlyMap<string, number> {
    return this.connects;
  }

  dispose(): void {
    this.replies.dispose();
    this.sim.off("connect", this.onConnect);
    this.sim.dispose();
  }
}
