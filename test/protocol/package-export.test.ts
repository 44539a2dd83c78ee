import assert from "node:assert/strict";
import { describe, it } from "node:test";

describe("package export ./protocol", () => {
  it("resolves through the exports map and exposes the DESIGN 4.1 names", () => {
    // A self-reference by package name, as a user's function node or an acceptance check would load it.
    const protocol = require("@bmskit/node-red-jbd-bms/protocol");
    for (const name of [
      "encodeReadRequest",
      "encodeMosRequest",
      "FrameAssembler",
      "decodeBasicInfo",
      "decodeCellVoltages",
      "decodeHardwareVersion",
      "ProtocolError",
      "encodeAuthPassword",
      "decodeAuthReply",
      "AuthReplyReader",
    ]) {
      assert.equal(typeof protocol[name], "function", name);
    }
    assert.equal(Buffer.from(protocol.encodeReadRequest(3)).toString("hex"), "dda50300fffd77");
    const frames = new protocol.FrameAssembler().push(Buffer.from("dd05000a30313233343536373839fde977", "hex"));
    assert.equal(protocol.decodeHardwareVersion(frames[0]), "0123456789");
  });
});
