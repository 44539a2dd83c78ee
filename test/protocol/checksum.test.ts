import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeFrame, jbdChecksum } from "../../src/protocol";

describe("jbdChecksum", () => {
  it("masks an empty ack to 0x0000 (not 0x10000)", () => {
    const ack = Uint8Array.from([0xdd, 0xe1, 0x00, 0x00]);
    assert.equal(jbdChecksum(ack, 2, 4), 0x0000);
  });

  it("sums status and data but not the register byte", () => {
    assert.deepEqual(Buffer.from(encodeFrame(0x24, 0x81)).toString("hex"), "dd248100ff7f77");
  });
});
