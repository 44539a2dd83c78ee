import type { Node, NodeStatus } from "node-red";
import type { BmsError } from "../errors";
import type { AdapterStateEvent, LinkStateEvent } from "../pool/types";
import { adapterBadge, errorBadge, linkBadge, type Translate } from "./status-badge";

/**
 * How long a result badge (values, MOSFET state) stands against link events. `whileLinked` (bms-poll): while the link
 * only flips between busy and idle, so the badge does not flicker on every poll, and a closed link is news. `always`
 * (bms-mos): from the first result on the link is not shown at all; the badge is the last result or error, because the
 * MOSFET state read last is what its users watch, and it does not change when the link closes.
 */
export type KeepResult = "whileLinked" | "always";

/**
 * Decides what one flow node's status badge shows. Link events of its battery set the badge, an unusable adapter
 * overrides everything (red dot) until it is back, and a result badge stays against link events as `keepResult`
 * says.
 */
export class NodeBadge {
  private link: NodeStatus = {};
  private adapter: NodeStatus | null = null;
  private showingResult = false;
  /** Set by the first result when results are kept always: link events no longer reach the badge. */
  private linkHidden = false;

  constructor(
    private readonly node: Node,
    private readonly t: Translate,
    private readonly keepResult: KeepResult = "whileLinked",
  ) {}

  linkChanged(event: LinkStateEvent): void {
    if (this.linkHidden) return;
    if (this.showingResult && (event.state === "busy" || event.state === "idle")) return;
    this.showingResult = false;
    this.link = linkBadge(event, this.t);
    this.render();
  }

  adapterChanged(event: AdapterStateEvent): void {
    const next = adapterBadge(event, this.t);
    // Every link died while the adapter was unusable, so when it is back the battery has no link until next use.
    if (this.adapter && !next && !this.linkHidden) {
      this.showingResult = false;
      this.link = linkBadge({ address: "", state: "closed" }, this.t);
    }
    this.adapter = next;
    this.render();
  }

  result(status: NodeStatus): void {
    this.showingResult = true;
    this.linkHidden = this.keepResult === "always";
    this.link = status;
    this.render();
  }

  /**
   * A RELEASED failure leaves the badge as it is: the blue hold badge (`released 300 s`) the release itself put up,
   * or a kept result.
   */
  failed(error: BmsError | undefined): void {
    if (error?.code === "RELEASED") return;
    this.showingResult = false;
    this.link = errorBadge(error?.code, this.t);
    this.render();
  }

  private render(): void {
    this.node.status(this.adapter ?? this.link);
  }
}
