import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { BankPayload } from "../../src/bank/bank-payload";
import { BmsError, ERROR_CODES } from "../../src/errors";
import { bankBadge } from "../../src/nodes/bank-badge";
import { adapterBadge, errorBadge, linkBadge, mosBadge, valuesBadge } from "../../src/nodes/status-badge";
import type { LinkState } from "../../src/pool/types";

// The real en-US catalog with i18next-style __name__ substitution, as the runtime's RED._ would apply it.
const root = path.resolve(__dirname, "..", "..", "..");
const catalogs: Record<string, unknown> = {
  "@bmskit/node-red-jbd-bms/bms-adapter": JSON.parse(
    fs.readFileSync(path.join(root, "nodes", "locales", "en-US", "bms-adapter.json"), "utf8"),
  ),
  "@bmskit/node-red-jbd-bms/bms-bank": JSON.parse(
    fs.readFileSync(path.join(root, "nodes", "locales", "en-US", "bms-bank.json"), "utf8"),
  ),
};
function t(key: string, subs: Record<string, string | number> = {}): string {
  const [ns, dotted] = key.split(":") as [string, string];
  let value: unknown = catalogs[ns];
  for (const part of dotted.split(".")) value = (value as Record<string, unknown>)?.[part];
  assert.equal(typeof value, "string", `missing catalog key ${key}`);
  return (value as string).replace(/__(\w+)__/g, (_, name: string) => String(subs[name]));
}

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
});
