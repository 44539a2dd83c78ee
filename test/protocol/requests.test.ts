import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeMosRequest,
  decodeRequest,
  encodeExitFactoryRequest,
  encodeFrame,
  encodeMosRequest,
  encodeReadRequest,
  encodeWriteRequest,
  ProtocolError,
  parseFrame,
  toHex,
} from "../../src/protocol";

describe("request encoding (PROTOCOL 2.4)", () => {
  it("encodes reads", () => {
    assert.equal(toHex(encodeReadRequest(0x03)), "dda50300fffd77");
    assert.equal(toHex(encodeReadRequest(0x04)), "dda50400fffc77");
    assert.equal(toHex(encodeReadRequest(0x05)), "dda50500fffb77");
    assert.equal(toHex(encodeReadRequest(0xaa)), "dda5aa00ff5677");
  });

  it("encodes MOSFET writes from the desired on-states as a disable mask", () => {
    assert.equal(toHex(encodeMosRequest({ charge: true, discharge: true })), "dd5ae1020000ff1d77");
    assert.equal(toHex(encodeMosRequest({ charge: false, discharge: true })), "dd5ae1020001ff1c77");
    assert.equal(toHex(encodeMosRequest({ charge: true, discharge: false })), "dd5ae1020002ff1b77");
    assert.equal(toHex(encodeMosRequest({ charge: false, discharge: false })), "dd5ae1020003ff1a77");
  });

  it("refuses a MOSFET state that is not two booleans instead of reading it as off or on", () => {
    // A missing field used to mean "off" and a truthy string "on": { charge: false } switched both FETs off,
    // { charge: "false" } switched charging on.
    const refused: unknown[] = [
      { charge: false },
      { discharge: true },
      { charge: "false", discharge: true },
      { charge: true, discharge: 1 },
      { charge: true, discharge: null },
      {},
      null,
      undefined,
      "off",
      true,
    ];
    for (const desired of refused) {
      assert.throws(
        () => encodeMosRequest(desired as never),
        (e) => e instanceof TypeError && /charge and discharge must both be true or false/.test(e.message),
        JSON.stringify(desired),
      );
    }
  });

  it("encodes factory-mode writes", () => {
    assert.equal(toHex(encodeExitFactoryRequest()), "dd5a01020000fffd77");
    assert.equal(toHex(encodeWriteRequest(0x00, Uint8Array.of(0x56, 0x78))), "dd5a00025678ff3077");
    assert.equal(toHex(encodeWriteRequest(0x01, Uint8Array.of(0x28, 0x28))), "dd5a01022828ffad77");
  });

  it("refuses a register that is not a byte", () => {
    assert.throws(() => encodeReadRequest(0x100), RangeError);
    assert.throws(() => encodeReadRequest(-1), RangeError);
    assert.throws(() => encodeWriteRequest(1.5, new Uint8Array(0)), RangeError);
  });
});

describe("request decoding (what the BMS side sees)", () => {
  it("round-trips reads and MOSFET writes", () => {
    assert.deepEqual(decodeRequest(parseFrame(encodeReadRequest(0x04))), {
      operation: "read",
      register: 0x04,
      data: new Uint8Array(0),
    });
    for (const charge of [true, false]) {
      for (const discharge of [true, false]) {
        assert.deepEqual(decodeMosRequest(parseFrame(encodeMosRequest({ charge, discharge }))), { charge, discharge });
      }
    }
  });

  it("refuses responses, other registers and out-of-range masks", () => {
    const bad = (bytes: Uint8Array, reason: string) =>
      assert.throws(
        () => decodeMosRequest(parseFrame(bytes)),
        (e) => e instanceof ProtocolError && e.code === "BAD_FRAME" && e.reason === reason,
      );
    bad(encodeFrame(0xe1, 0), "register");
    bad(encodeReadRequest(0xe1), "register");
    bad(encodeWriteRequest(0x01, Uint8Array.of(0, 0)), "register");
    bad(encodeWriteRequest(0xe1, Uint8Array.of(0, 4)), "length");
    bad(encodeWriteRequest(0xe1, Uint8Array.of(0)), "length");
  });
});
