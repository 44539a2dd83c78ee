import type { Node, NodeAPI, NodeMessage } from "node-red";
import { BmsError, isBmsError } from "../errors";
import type { BmsPool } from "../pool/types";
import { normalizeAddress } from "../protocol/address";
import type { AdapterUser, BmsAdapterNode } from "./adapter-node";
import { isControlTopic, runControlTopic } from "./control-topic";
import { NodeBadge } from "./node-badge";
import type { Translate } from "./status-badge";

/** Flow-node properties shared by bms-poll and bms-mos (DESIGN 4.8). */
export interface BatteryNodeDef {
  adapter?: string;
  address?: string;
}

export type Done = (err?: Error) => void;

/**
 * What bms-poll and bms-mos share: the link to their bms-adapter (registered as a user so its pool events drive
 * this node's badge), the battery address (node setting, else msg.address), the control topics, and the error path
 * that reaches Catch nodes with `msg.error.code`.
 */
export class BatteryBinding {
  readonly badge: NodeBadge;
  private readonly adapter: BmsAdapterNode | null;
  private readonly fixedAddress: string | null = null;
  private readonly configError: BmsError | null = null;
  /** The address whose link events the badge follows: the node's, or the one the last msg named. */
  private watched: string | null = null;
  private readonly user: AdapterUser;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    def: BatteryNodeDef,
  ) {
    const t = RED._ as Translate;
    this.badge = new NodeBadge(node, t);
    this.adapter = def.adapter ? (RED.nodes.getNode(def.adapter) as BmsAdapterNode | null) : null;
    try {
      this.fixedAddress = def.address?.trim() ? normalizeAddress(def.address) : null;
    } catch (err) {
      this.configError = err as BmsError;
    }
    if (!this.adapter) {
      this.configError = new BmsError(
        "INVALID_INPUT",
        t("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.errors.noConfig"),
      );
    }
    this.watched = this.fixedAddress;
    this.user = {
      id: node.id,
      watches: (address) => address === this.watched,
      linkChanged: (event) => this.badge.linkChanged(event),
      adapterChanged: (event) => this.badge.adapterChanged(event),
    };
    this.adapter?.register(this.user);
    if (this.configError) {
      this.badge.failed(this.configError);
      return;
    }
    try {
      const pool = this.adapter!.pool();
      this.badge.adapterChanged({ state: pool.adapterState() });
      if (this.fixedAddress)
        this.badge.linkChanged({ address: this.fixedAddress, state: pool.linkState(this.fixedAddress) });
    } catch (err) {
      this.badge.failed(isBmsError(err) ? err : undefined);
    }
  }

  get hasFixedAddress(): boolean {
    return this.fixedAddress !== null;
  }

  /** The pool and address for one message; throws INVALID_INPUT (or the adapter's error) when there is none. */
  target(msg: NodeMessage & { address?: unknown }): { pool: BmsPool; address: string } {
    if (this.configError) throw this.configError;
    const fromMsg = msg.address;
    let address: string;
    if (this.fixedAddress) {
      if (fromMsg !== undefined && fromMsg !== "" && !sameAddress(fromMsg, this.fixedAddress)) {
        this.node.warn(this.RED._("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.warn.nooverride"));
      }
      address = this.fixedAddress;
    } else {
      if (fromMsg === undefined || fromMsg === "") {
        throw new BmsError(
          "INVALID_INPUT",
          this.RED._("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.errors.noAddress"),
        );
      }
      address = normalizeAddress(fromMsg);
    }
    this.watched = address;
    return { pool: this.adapter!.pool(), address };
  }

  /** Handles `release` / `reconnect` topics; returns false for any other message. Control messages send nothing. */
  control(msg: NodeMessage, done: Done): boolean {
    if (!isControlTopic(msg.topic)) return false;
    try {
      const { pool, address } = this.target(msg);
      runControlTopic(pool, address, msg.topic, msg.payload).then(
        () => done(),
        (err: unknown) => this.fail(err, done),
      );
    } catch (err) {
      this.fail(err, done);
    }
    return true;
  }

  /**
   * Ends a message with an error Catch nodes receive. Node-RED copies an own `code` property of the error to
   * `msg.error.code`; BmsError has one. Anything else is an unexpected failure inside the link stack, reported as
   * LINK_LOST (the next use reconnects) so flows never see an error without a code.
   */
  fail(err: unknown, done: Done): void {
    const error = isBmsError(err) ? err : new BmsError("LINK_LOST", String(err), { cause: err });
    this.badge.failed(error);
    done(error);
  }

  async close(removed: boolean): Promise<void> {
    await this.adapter?.deregister(this.user, removed);
  }
}

function sameAddress(raw: unknown, address: string): boolean {
  try {
    return normalizeAddress(raw) === address;
  } catch {
    return false;
  }
}
