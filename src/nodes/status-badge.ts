import type { NodeAPI, NodeStatus } from "node-red";
import { type ErrorCode, errorRecord } from "../errors";
import type { AdapterStateEvent, LinkStateEvent } from "../pool/types";
import type { MosState } from "../protocol/payload";

/** Translator as Node-RED hands it to a node module (RED._). */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

/**
 * The translator the nodes hand to the badge functions below. A text with values in it (`retry in 8 s`,
 * `2/3 packs 52 % 13.2 V`) is translated here, in the runtime's language; a text without goes to the editor as its
 * catalog key, which each browser translates into its own language, as core nodes do.
 */
export function badgeTranslator(RED: NodeAPI): Translate {
  return (key, substitutions) => (substitutions === undefined ? key : (RED._ as Translate)(key, substitutions));
}

/**
 * Badge texts live in the bms-adapter catalog so the flow nodes share one set; RED._ accepts a key with an
 * explicit namespace.
 */
const NS = "@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.status.";

export function errorBadge(code: ErrorCode | undefined, t: Translate): NodeStatus {
  return { fill: "red", shape: "ring", text: t(NS + (code ? errorRecord(code).badge : "error")) };
}

/** The badge for a link state event of the node's battery. */
export function linkBadge(event: LinkStateEvent, t: Translate): NodeStatus {
  const seconds = Math.max(1, Math.ceil((event.untilMs ?? 0) / 1000));
  switch (event.state) {
    case "searching":
      return { fill: "yellow", shape: "ring", text: t(`${NS}searching`) };
    case "connecting":
      return { fill: "yellow", shape: "ring", text: t(`${NS}connecting`) };
    case "busy":
      return { fill: "green", shape: "dot", text: t(`${NS}connected`) };
    case "idle":
      return { fill: "green", shape: "ring", text: t(`${NS}idle`) };
    case "backoff":
      return { fill: "yellow", shape: "dot", text: t(`${NS}retry`, { seconds }) };
    case "released":
      return { fill: "blue", shape: "ring", text: t(`${NS}released`, { seconds }) };
    case "closing":
    case "closed":
      return event.error ? errorBadge(event.error.code, t) : { fill: "grey", shape: "ring", text: t(`${NS}closed`) };
  }
}

/** Adapter states that override every link badge (red dot), or null when the adapter is usable. */
export function adapterBadge(event: AdapterStateEvent, t: Translate): NodeStatus | null {
  if (event.error?.code === "ADAPTER_UNAVAILABLE") {
    const key = event.state === "unauthorized" ? "noPermission" : "noAdapter";
    return { fill: "red", shape: "dot", text: t(NS + key) };
  }
  switch (event.state) {
    case "poweredOn":
    case "unknown":
    case "resetting":
      return null;
    case "poweredOff":
      return { fill: "red", shape: "dot", text: t(`${NS}adapterOff`) };
    case "unauthorized":
      return { fill: "red", shape: "dot", text: t(`${NS}noPermission`) };
    case "unsupported":
      return { fill: "red", shape: "dot", text: t(`${NS}noAdapter`) };
  }
}

/** Badge with a poll's headline values, e.g. `13.21 V 85 %` (kept short: no i18n needed for units). */
export function valuesBadge(voltage: number, stateOfCharge: number): NodeStatus {
  return { fill: "green", shape: "dot", text: `${voltage.toFixed(2)} V ${Math.round(stateOfCharge)} %` };
}

/** Badge with the MOSFET state after bms-mos, e.g. `CHG on DSG off`. */
export function mosBadge(state: MosState): NodeStatus {
  const word = (on: boolean) => (on ? "on" : "off");
  return { fill: "green", shape: "dot", text: `CHG ${word(state.charge)} DSG ${word(state.discharge)}` };
}
