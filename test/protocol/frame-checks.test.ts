import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkStatus,
  encodeFrame,
  encodeMosRequest,
  encodeReadRequest,
  FrameAssembler,
  isAck,
  isRequestEcho,
  needsPairingError,
  ProtocolError,
  parseFrame,
} from "../../src/protocol";

describe("frame checks", () => {
  it("checkStatus passes status 0 and names the status byte otherwise", () => {
    checkStatus(parseFrame(encodeFrame(0x03, 0, new Uint8Array(23))));
    const rejected = parseFrame(Buffer.from("dd248100ff7f77", "hex"));
    assert.throws(
      () => checkStatus(rejected),
      (e) =>
        e instanceof ProtocolError &&
        e.code === "BMS_REJECTED" &&
        e.reason === "status" &&
        /0x81/.test(e.message) &&
        /0x24/.test(e.message),
    );
  });

  it("isAck wants the register, status 0 and no data", () => {
    const ack = parseFrame(Buffer.from("dde10000000077", "hex"));
    assert.equal(isAck(ack, 0xe1), true);
    assert.equal(isAck(ack, 0x01), false);
    assert.equal(isAck(parseFrame(encodeFrame(0xe1, 0x80)), 0xe1), false);
    assert.equal(isAck(parseFrame(encodeFrame(0xe1, 0, Uint8Array.of(0))), 0xe1), false);
  });

  it("isRequestEcho spots a request sent back byte for byte", () => {
    const request = encodeMosRequest({ charge: false, discharge: true });
    const [echo] = new FrameAssembler().push(request);
    assert.equal(isRequestEcho(echo!, request), true);
    assert.equal(isRequestEcho(echo!, encodeMosRequest({ charge: true, discharge: true })), false);
    assert.equal(isRequestEcho(echo!, encodeReadRequest(0x03)), false);
    assert.equal(isRequestEcho(parseFrame(Buffer.from("dde10000000077", "hex")), request), false);
  });

  it("needsPairingError is a NEEDS_PAIRING ProtocolError that says how to pair", () => {
    const error = needsPairingError(encodeReadRequest(0x03));
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.code, "NEEDS_PAIRING");
    assert.equal(error.reason, "echo");
    assert.match(error.message, /pair/);
    const named = needsPairingError(encodeReadRequest(0x03), "AA:BB:CC:00:00:01");
    assert.match(named.message, /^AA:BB:CC:00:00:01 echoes requests/);
    assert.match(named.message, /bluetoothctl pair AA:BB:CC:00:00:01/);
    assert.match(named.message, /On Linux/, "says where the advice applies");
    assert.match(named.message, /passkey[^.]*123456/);
    assert.match(named.message, /raw-HCI transport cannot pair/);
    assert.equal(error.details?.request, "dda50300fffd77");
  });
});

describe("parseFrame", () => {
  it("throws BAD_FRAME for bytes that are not one whole frame", () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0xdd, 0x03), Uint8Array.of(0xdd, 0xe1, 0, 1, 0, 0, 0x77)]) {
      assert.throws(
        () => parseFrame(bytes),
        (e) => e instanceof ProtocolError && e.code === "BAD_FRAME",
      );
    }
  });

  it("throws a TypeError naming the argument for anything but bytes", () => {
    for (const notBytes of [null, undefined, "dde10000000077", [0xdd, 0xe1, 0, 0, 0, 0, 0x77], {}]) {
      assert.throws(
        () => parseFrame(notBytes as never),
        (e) => e instanceof TypeError && /parseFrame\(\) takes a Uint8Array or Buffer/.test(e.message),
        String(notBytes),
      );
    }
  });
});
