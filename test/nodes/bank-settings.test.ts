import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isBmsError } from "../../src/errors";
import { readPackMessage } from "../../src/nodes/bank-input";
import { parseBankSettings } from "../../src/nodes/bank-settings";

function invalid(...patterns: RegExp[]) {
  return (err: unknown) =>
    isBmsError(err) && err.code === "INVALID_INPUT" && patterns.every((pattern) => pattern.test(err.message));
}

describe("parseBankSettings", () => {
  it("normalises the pack addresses in their order and takes maxAge in seconds (blank: 60)", () => {
    const settings = parseBankSettings({ packs: ["aa-bb-cc-00-00-02", "AABBCC000001"], maxAge: "90" });
    assert.deepEqual(settings, { packs: ["AA:BB:CC:00:00:02", "AA:BB:CC:00:00:01"], maxAgeMs: 90_000 });
    assert.equal(parseBankSettings({ packs: ["AA:BB:CC:00:00:01"] }).maxAgeMs, 60_000);
    assert.equal(parseBankSettings({ packs: ["AA:BB:CC:00:00:01"], maxAge: "" }).maxAgeMs, 60_000);
  });

  it("refuses no packs, a bad or repeated address and a maxAge out of range, naming every problem", () => {
    assert.throws(() => parseBankSettings({ packs: [] }), invalid(/at least one/));
    assert.throws(() => parseBankSettings({ packs: "AA:BB:CC:00:00:01" }), invalid(/at least one/));
    assert.throws(
      () => parseBankSettings({ packs: ["AA:BB:CC:00:00:01", "nonsense", "aa:bb:cc:00:00:01"], maxAge: 0 }),
      invalid(/"nonsense" is not a Bluetooth address/, /AA:BB:CC:00:00:01 is listed twice/, /maxAge .* 1 to 86400/),
    );
    for (const maxAge of [-1, 86_401, "soon", Number.NaN, true]) {
      assert.throws(() => parseBankSettings({ packs: ["AA:BB:CC:00:00:01"], maxAge }), invalid(/maxAge/));
    }
  });
});

describe("readPackMessage", () => {
  it("reads the pack's address, name and stale mark from msg.bms", () => {
    assert.deepEqual(readPackMessage({ bms: { address: "aa:bb:cc:00:00:01", name: "pack", stale: false } }), {
      address: "AA:BB:CC:00:00:01",
      name: "pack",
      stale: false,
    });
    assert.deepEqual(readPackMessage({ bms: { address: "AA:BB:CC:00:00:01", name: null, stale: true } }), {
      address: "AA:BB:CC:00:00:01",
      name: null,
      stale: true,
    });
  });

  it("refuses a message that is not bms-poll output", () => {
    assert.throws(() => readPackMessage({ payload: {} }), invalid(/msg\.bms\.address is missing/));
    assert.throws(() => readPackMessage({ bms: { address: "x" } }), invalid(/not a Bluetooth address/));
    assert.throws(
      () => readPackMessage({ bms: { address: "AA:BB:CC:00:00:01", stale: "yes" } }),
      invalid(/stale must be true or false/),
    );
  });
});
