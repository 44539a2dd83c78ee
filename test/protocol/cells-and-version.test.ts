import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeCellVoltages, decodeHardwareVersion, encodeFrame, ProtocolError, parseFrame } from "../../src/protocol";

const frame = (register: number, data: number[] | string, status = 0) =>
  parseFrame(
    encodeFrame(register, status, typeof data === "string" ? Buffer.from(data, "latin1") : Uint8Array.from(data)),
  );

describe("decodeCellVoltages", () => {
  it("reads len/2 millivolt values in V and keeps a 0 mV cell", () => {
    assert.deepEqual(decodeCellVoltages(frame(0x04, [0x0f, 0x45, 0x00, 0x00, 0x0d, 0x03])), [3.909, 0, 3.331]);
    assert.deepEqual(decodeCellVoltages(frame(0x04, [])), []);
  });

  it("rejects an odd length, another register and a non-zero status", () => {
    assert.throws(
      () => decodeCellVoltages(frame(0x04, [0x0f, 0x45, 0x0f])),
      (e) => e instanceof ProtocolError && e.code === "BAD_FRAME" && e.reason === "length",
    );
    assert.throws(
      () => decodeCellVoltages(frame(0x03, [0x0f, 0x45])),
      (e) => e instanceof ProtocolError && e.code === "BAD_FRAME" && e.reason === "register",
    );
    assert.throws(
      () => decodeCellVoltages(frame(0x04, [], 0x81)),
      (e) => e instanceof ProtocolError && e.code === "BMS_REJECTED" && /0x81/.test(e.message),
    );
  });
});

describe("decodeHardwareVersion", () => {
  it("reads raw ASCII, cut at the first NUL and trimmed", () => {
    assert.equal(decodeHardwareVersion(frame(0x05, "0123456789")), "0123456789");
    assert.equal(decodeHardwareVersion(frame(0x05, " JBD-SP04S034 \0garbage")), "JBD-SP04S034");
    assert.equal(decodeHardwareVersion(frame(0x05, "")), "");
  });

  it("keeps printable ASCII only: control bytes and bytes above 0x7E are dropped", () => {
    assert.equal(decodeHardwareVersion(frame(0x05, "\x01JBD-\x7f\xffSP04\tS034\r\n")), "JBD-SP04S034");
    assert.equal(decodeHardwareVersion(frame(0x05, "\x80\x90\xa0")), "");
  });

  it("turns the 0x80 answer of clones without 0x05 into BMS_REJECTED", () => {
    // DWFF clone, PROTOCOL 2.2: DD 05 80 00 FF 80 77.
    const rejected = parseFrame(Buffer.from("dd058000ff8077", "hex"));
    assert.throws(
      () => decodeHardwareVersion(rejected),
      (e) => e instanceof ProtocolError && e.code === "BMS_REJECTED" && e.reason === "status",
    );
  });

  it("refuses another register", () => {
    assert.throws(
      () => decodeHardwareVersion(frame(0xa1, "JBD")),
      (e) => e instanceof ProtocolError && e.code === "BAD_FRAME",
    );
  });
});
