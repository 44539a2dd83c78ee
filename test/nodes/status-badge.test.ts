import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, NodeStatus } from "node-red";
import type { BankPayload } from "../../src/bank/bank-payload";
import { BmsError, ERROR_CODES } from "../../src/errors";
import { bankBadge } from "../../src/nodes/bank-badge";
import { type KeepResult, NodeBadge } from "../../src/nodes/node-badge";
import { adapterBadge, errorBadge, linkBadge, mosBadge, valuesBadge } from "../../src/nodes/status-badge";
import type { LinkState } from "../../src/pool/types";
import { translate } from "../support/catalog";

// The real en-US catalog with i18next-style __name__ substitution, as the runtime's RED._ would apply it.
const t = translate;

describe("status badges", () => {
  it("maps every link state to the DESIGN 4.4 badge", () => {
    const expected: Record<LinkState, [string, string, string]> = {
      searching: ["yellow", "ring", "searching…"],
      connecting: ["yellow", "ring", "connecting…"],
      busy: ["green", "dot", "connected"],
      idle: ["green", "ring", "idle link"],
      closing: ["grey", "ring", "closed"],
      closed: ["grey", "ring", "closed"],
      backoff: ["yellow", "dot", "retry in 8 s"],
      released: ["blue", "ring", "released 300 s"],
    };
    for (const [state, [fill, shape, text]] of Object.entries(expected)) {
      const untilMs = state === "backoff" ? 7_200 : 300_000;
      assert.deepEqual(linkBadge({ address: "AA:BB:CC:00:00:01", state: state as LinkState, untilMs }, t), {
        fill,
        shape,
        text,
      });
    }
  });

  it("shows the error of a link closed by one as a red ring", () => {
    const error = new BmsError("LINK_LOST", "gone");
    assert.deepEqual(linkBadge({ address: "AA:BB:CC:00:00:01", state: "closed", error }, t), {
      fill: "red",
      shape: "ring",
      text: "link lost",
    });
  });

  it("keeps every badge text under 20 characters", () => {
    for (const code of ERROR_CODES) assert.ok(errorBadge(code, t).text!.length < 20, code);
    assert.ok(valuesBadge(58.123, 100).text!.length < 20);
    assert.equal(valuesBadge(13.214, 85.4).text, "13.21 V 85 %");
    assert.equal(mosBadge({ charge: true, discharge: false }).text, "CHG on DSG off");
    assert.ok(linkBadge({ address: "x", state: "released", untilMs: 86_400_000 }, t).text!.length < 20);
  });

  it("turns an unusable adapter into a red dot and a usable one into no override", () => {
    assert.deepEqual(adapterBadge({ state: "poweredOff" }, t), { fill: "red", shape: "dot", text: "adapter off" });
    assert.deepEqual(adapterBadge({ state: "unauthorized" }, t), { fill: "red", shape: "dot", text: "no permission" });
    const unavailable = new BmsError("ADAPTER_UNAVAILABLE", "no binding");
    assert.deepEqual(adapterBadge({ state: "unknown", error: unavailable }, t), {
      fill: "red",
      shape: "dot",
      text: "no adapter",
    });
    assert.equal(adapterBadge({ state: "poweredOn" }, t), null);
  });

  it("shows the bank's packs, SOC and voltage: green when complete, yellow while packs are missing", () => {
    const bank = { packsFresh: 3, packsExpected: 3, stateOfCharge: 52, voltage: 13.24 } as BankPayload;
    assert.deepEqual(bankBadge(bank, 3, t), { fill: "green", shape: "dot", text: "3/3 packs 52 % 13.2 V" });
    assert.deepEqual(bankBadge({ ...bank, packsFresh: 2 }, 3, t), {
      fill: "yellow",
      shape: "dot",
      text: "2/3 packs 52 % 13.2 V",
    });
    assert.deepEqual(bankBadge(null, 3, t), { fill: "yellow", shape: "ring", text: "0/3 packs" });
  });

  /** A NodeBadge over a stand-in node that records the texts it shows. */
  function badgeOf(keepResult: KeepResult): { badge: NodeBadge; shown: string[] } {
    const shown: string[] = [];
    const node = { status: (status: NodeStatus) => shown.push(String(status.text ?? "")) } as unknown as Node;
    return { badge: new NodeBadge(node, t, keepResult), shown };
  }
  const link = (state: LinkState) => ({ address: "AA:BB:CC:00:00:01", state });
  const MOS = mosBadge({ charge: false, discharge: true });

  it("keeps a poll's values while the link is busy or idle, and shows a closed link", () => {
    const { badge, shown } = badgeOf("whileLinked");
    badge.result(valuesBadge(13.2, 80));
    for (const state of ["busy", "idle", "closed", "searching"] as const) badge.linkChanged(link(state));
    assert.deepEqual(shown, ["13.20 V 80 %", "closed", "searching…"]);
  });

  it("keeps the MOSFET state from the first read on whatever the link does; an error or the adapter override it", () => {
    const { badge, shown } = badgeOf("always");
    badge.linkChanged(link("searching"));
    badge.result(MOS);
    for (const state of ["idle", "closing", "closed", "searching", "connecting", "busy", "released"] as const) {
      badge.linkChanged(link(state));
    }
    assert.deepEqual(shown, ["searching…", "CHG off DSG on"], "no link state after the first read");
    badge.adapterChanged({ state: "poweredOff" });
    badge.adapterChanged({ state: "poweredOn" });
    assert.deepEqual(shown.slice(2), ["adapter off", "CHG off DSG on"], "back to the state read, not 'closed'");
    badge.failed(new BmsError("NOT_FOUND", "gone"));
    badge.linkChanged(link("closed"));
    badge.result(MOS);
    assert.deepEqual(shown.slice(4), ["not found", "CHG off DSG on"]);
  });
});
