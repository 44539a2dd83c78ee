import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BmsError } from "../../src/errors";
import { DEFAULT_RELEASE_SECONDS, releaseSeconds } from "../../src/nodes/control-topic";
import { parseMosCommand } from "../../src/nodes/mos-command";
import { normalizeAddress } from "../../src/protocol/address";

const invalidInput = (err: unknown) => err instanceof BmsError && err.code === "INVALID_INPUT";

describe("normalizeAddress", () => {
  it("accepts lower case, dashes and bare hex", () => {
    assert.equal(normalizeAddress("aa:bb:cc:00:00:01"), "AA:BB:CC:00:00:01");
    assert.equal(normalizeAddress(" aa-bb-cc-00-00-0f "), "AA:BB:CC:00:00:0F");
    assert.equal(normalizeAddress("aabbcc000002"), "AA:BB:CC:00:00:02");
  });

  it("refuses anything that is not a MAC address", () => {
    for (const bad of ["", "AA:BB:CC:00:00", "AA:BB:CC:00:00:0G", 42, null]) {
      assert.throws(() => normalizeAddress(bad), invalidInput);
    }
  });
});

describe("parseMosCommand", () => {
  it("maps on/off and true/false to both MOSFETs", () => {
    assert.deepEqual(parseMosCommand("on"), { charge: true, discharge: true });
    assert.deepEqual(parseMosCommand(false), { charge: false, discharge: false });
  });

  it("keeps a left-out field out, so the BMS keeps its present state", () => {
    assert.deepEqual(parseMosCommand({ charge: false }), { charge: false });
    assert.deepEqual(parseMosCommand({ discharge: true, charge: true }), { charge: true, discharge: true });
  });

  it("refuses everything else", () => {
    const bad: unknown[] = [
      "ON",
      "1",
      1,
      0,
      null,
      undefined,
      [],
      {},
      { charge: "false" },
      { charge: 0 },
      { charge: true, extra: true },
      { chargee: true },
    ];
    for (const payload of bad) assert.throws(() => parseMosCommand(payload), invalidInput, JSON.stringify(payload));
  });
});

describe("releaseSeconds", () => {
  it("defaults when msg.payload carries no number", () => {
    for (const payload of [undefined, "", null, true, { a: 1 }])
      assert.equal(releaseSeconds(payload), DEFAULT_RELEASE_SECONDS);
  });

  it("takes a number or numeric string and refuses one out of range", () => {
    assert.equal(releaseSeconds(60), 60);
    assert.equal(releaseSeconds("30"), 30);
    assert.throws(() => releaseSeconds(Date.now()), invalidInput);
    assert.throws(() => releaseSeconds(-1), invalidInput);
    assert.throws(() => releaseSeconds("soon"), invalidInput);
  });
});
