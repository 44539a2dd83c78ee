import type { Node, NodeAPI, NodeMessage } from "node-red";
import { describeInput } from "../describe-input";
import { BmsError, isBmsError, toBmsError } from "../errors";
import type { BmsPool } from "../pool/types";
import { normalizeAddress } from "../protocol/address";
import type { AdapterUser, BmsAdapterNode } from "./adapter-node";
import { isControlTopic, runControlTopic } from "./control-topic";
import { type KeepResult, NodeBadge } from "./node-badge";
import { badgeTranslator, type Translate } from "./status-badge";

/** Flow-node properties shared by bms-poll and bms-mos (DESIGN 4.8); hand-edited flows may hold anything. */
export interface BatteryNodeDef {
  adapter?: unknown;
  address?: unknown;
}

export type Done = (err?: Error) => void;

/**
 * What a node does with a msg.address that names another battery than its own address: bms-poll warns and polls
 * its own battery (harmless), bms-mos refuses the command (switching its own battery would switch the wrong one).
 */
export type OtherAddressPolicy = "warn" | "refuse";

/**
 * What bms-poll and bms-mos share: the link to their bms-adapter (registered as a user so its pool events drive
 * this node's badge), the battery address (node setting, else msg.address), the control topics, and the error path
 * that reaches Catch nodes with `msg.error.code`. A node whose settings cannot work (no adapter, an adapter id that
 * names another kind of node, an address that is not one) is still created: it shows a red badge and ends every
 * message with that INVALID_INPUT error.
 */
export class BatteryBinding {
  readonly badge: NodeBadge;
  private readonly adapter: BmsAdapterNode | null = null;
  private readonly fixedAddress: string | null = null;
  private readonly configError: BmsError | null = null;
  /** The address whose link events the badge follows: the node's, or the one the last msg named. */
  private watched: string | null = null;
  private readonly user: AdapterUser;
  private closing = false;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    def: BatteryNodeDef,
    private readonly otherAddress: OtherAddressPolicy,
    keepResult: KeepResult = "whileLinked",
  ) {
    const t = RED._ as Translate;
    this.badge = new NodeBadge(node, badgeTranslator(RED), keepResult);
    const configured = typeof def.adapter === "string" && def.adapter ? RED.nodes.getNode(def.adapter) : null;
    if (!configured) {
      this.configError = new BmsError(
        "INVALID_INPUT",
        t("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.errors.noConfig"),
      );
    } else if (configured.type !== "bms-adapter") {
      this.configError = new BmsError(
        "INVALID_INPUT",
        t("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.errors.notAdapter", { type: configured.type }),
      );
    } else {
      this.adapter = configured as BmsAdapterNode;
    }
    if (!isBlank(def.address)) {
      try {
        this.fixedAddress = normalizeAddress(def.address, "the node's address");
      } catch (err) {
        this.configError ??= err as BmsError;
      }
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

  /** True once the node has begun to close: it sends nothing and shows no badge any more. */
  get closed(): boolean {
    return this.closing;
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
      if (!isBlank(fromMsg) && !sameAddress(fromMsg, this.fixedAddress)) this.otherBattery(fromMsg, this.fixedAddress);
      address = this.fixedAddress;
    } else {
      if (isBlank(fromMsg)) {
        throw new BmsError(
          "INVALID_INPUT",
          this.RED._("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.errors.noAddress"),
        );
      }
      address = normalizeAddress(fromMsg, "msg.address");
    }
    this.watched = address;
    return { pool: this.adapter!.pool(), address };
  }

  /** A msg.address naming another battery than the node's own (or no valid address at all). */
  private otherBattery(fromMsg: unknown, own: string): void {
    if (this.otherAddress === "warn") {
      this.node.warn(this.RED._("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.warn.nooverride"));
      return;
    }
    throw new BmsError(
      "INVALID_INPUT",
      `msg.address ${describeInput(fromMsg)} is not this node's battery ${own}: a switch with an address set ` +
        "switches only that battery (leave msg.address out, or blank the node's address to take it from msg.address)",
    );
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
    const error = toBmsError(err, "LINK_LOST");
    if (!this.closing) this.badge.failed(error);
    done(error);
  }

  async close(removed: boolean): Promise<void> {
    this.closing = true;
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

/** No address given: absent, null, or a string of nothing but spaces. */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}
