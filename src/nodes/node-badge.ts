import type { Node, NodeStatus } from "node-red";
import type { BmsError } from "../errors";
import type { AdapterStateEvent, LinkStateEvent } from "../pool/types";
import { adapterBadge, errorBadge, linkBadge, type Translate } from "./status-badge";

/**
 * Decides what one flow node's status badge shows. Link events of its battery set the badge, an unusable adapter
 * overrides everything (red dot) until it is back, and a result badge (values, MOSFET state) stays while the link
 * only flips between busy and idle, so the badge does not flicker on every poll.
 */
export class NodeBadge {
  private link: NodeStatus = {};
  private adapter: NodeStatus | null = null;
  private showingResult = false;

  constructor(
    private readonly node: Node,
    private readonly t: Translate,
  ) {}

  linkChanged(event: LinkStateEvent): void {
    if (this.showingResult && (event.state === "busy" || event.state === "idle")) return;
    this.showingResult = false;
    this.link = linkBadge(event, this.t);
    this.render();
  }

  adapterChanged(event: AdapterStateEvent): void {
    const next = adapterBadge(event, this.t);
    // Every link died while the adapter was unusable, so when it is back the battery has no link until next use.
    if (this.adapter && !next) {
      this.showingResult = false;
      this.link = linkBadge({ address: "", state: "closed" }, this.t);
    }
    this.adapter = next;
    this.render();
  }

  result(status: NodeStatus): void {
    this.showingResult = true;
    this.link = status;
    this.render();
  }

  /** A RELEASED failure leaves the blue hold badge (`released 300 s`) the release itself put up. */
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
