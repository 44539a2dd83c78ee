import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BmsError } from "../../src/errors";
import {
  AuthCommand,
  AuthReplyReader,
  AuthStatus,
  decodeAuthReply,
  encodeAuthAppKey,
  encodeAuthPassword,
  encodeAuthRandomRequest,
  encodeAuthReply,
  encodeAuthRoot,
  FrameAssembler,
  ProtocolError,
  toHex,
} from "../../src/protocol";
import { AUTH_VECTORS, encodeVector, vectorFrame } from "./auth-vectors";
import { concatBytes, fromHex, splitEvery } from "./bytes";

describe("FF AA encoders", () => {
  it("builds the fixed frames of the captures", () => {
    assert.equal(toHex(encodeAuthAppKey()), "ffaa1506303030303030" + "3b");
    assert.equal(toHex(encodeAuthRandomRequest()), "ffaa170017");
  });

  for (const vector of AUTH_VECTORS) {
    it(`matches the vector ${vector.mac} ${vector.password} rr 0x${vector.random.toString(16)}`, () => {
      assert.equal(toHex(encodeVector(vector)), vectorFrame(vector));
    });
  }

  it("takes the address in any form the package accepts, always in display order", () => {
    const vector = AUTH_VECTORS[0]!;
    for (const mac of ["A4:C1:37:04:2D:BE", "a4-c1-37-04-2d-be", "a4c137042dbe", " a4:c1:37:04:2d:be "]) {
      assert.equal(toHex(encodeVector(vector, mac)), vectorFrame(vector), mac);
    }
  });

  it("refuses a password that is not exactly 6 printable ASCII characters with a TypeError", () => {
    for (const password of ["12345", "1234567", "", "12345é", "12345\n", "１２３４５６", 123456 as unknown as string]) {
      assert.throws(() => encodeAuthPassword("a4:c1:37:04:2d:be", password, 0x37), TypeError, String(password));
    }
    assert.equal(encodeAuthPassword("a4:c1:37:04:2d:be", "Ab !~z", 0).length, 11);
  });

  it("refuses a bad address as INVALID_INPUT and a random that is not a byte as RangeError", () => {
    assert.throws(
      () => encodeAuthPassword("a4:c1:37:04:2d", "123123", 0x37),
      (e) => e instanceof BmsError && e.code === "INVALID_INPUT",
    );
    assert.throws(
      () => encodeAuthRoot("not an address", 0x37),
      (e) => e instanceof BmsError && e.code === "INVALID_INPUT",
    );
    for (const random of [-1, 256, 1.5, Number.NaN]) {
      assert.throws(() => encodeAuthRoot("a4:c1:37:04:2d:be", random), RangeError, String(random));
    }
  });
});

describe("decodeAuthReply", () => {
  it("reads the acks of the captures and the random byte of a 0x17 reply", () => {
    assert.deepEqual(decodeAuthReply(fromHex("ffaa15010016")), { command: AuthCommand.AppKey, status: 0 });
    assert.deepEqual(decodeAuthReply(fromHex("ffaa18010019")), {
      command: AuthCommand.Password,
      status: AuthStatus.Accepted,
    });
    assert.deepEqual(decodeAuthReply(fromHex("ffaa1d01001e")), { command: AuthCommand.Root, status: 0 });
    assert.deepEqual(decodeAuthReply(fromHex("ffaa1801011a")), {
      command: AuthCommand.Password,
      status: AuthStatus.Rejected,
    });
    assert.deepEqual(decodeAuthReply(fromHex("ffaa15010218")), {
      command: AuthCommand.AppKey,
      status: AuthStatus.NoPassword,
    });
    assert.deepEqual(decodeAuthReply(fromHex("ffaa1701374f")), { command: AuthCommand.RandomRequest, random: 0x37 });
    assert.deepEqual(decodeAuthReply(fromHex("ffaa16010017")), { command: 0x16, status: 0 }, "set password ack");
    assert.deepEqual(decodeAuthReply(fromHex("ffaa070007")), { command: 0x07 }, "rename ack, no data");
  });

  it("is the inverse of encodeAuthReply", () => {
    for (const [command, value] of [
      [AuthCommand.AppKey, 0],
      [AuthCommand.RandomRequest, 0xdd],
      [AuthCommand.Password, 1],
      [AuthCommand.Root, 0],
    ] as const) {
      const reply = decodeAuthReply(encodeAuthReply(command, value));
      assert.equal(reply.command, command);
      assert.equal(command === AuthCommand.RandomRequest ? reply.random : reply.status, value);
    }
  });

  it("throws BAD_FRAME for anything that is not one whole reply", () => {
    const cases: [string, string][] = [
      ["", "length"],
      ["ffaa1501", "length"],
      ["dd0300000000", "length"],
      ["ffaa1501001600", "length"],
      ["ffaa150100", "length"],
      ["ffaa15010017", "checksum"],
      ["ffaa1506303030303030" + "3b", "length"],
      ["ffaa170017", "length"],
      ["ffaa15020000" + "17", "length"],
    ];
    for (const [hex, reason] of cases) {
      assert.throws(
        () => decodeAuthReply(fromHex(hex)),
        (e) => e instanceof ProtocolError && e.code === "BAD_FRAME" && e.reason === reason,
        hex,
      );
    }
    assert.throws(() => decodeAuthReply(null as unknown as Uint8Array), ProtocolError);
  });
});

describe("AuthReplyReader", () => {
  it("throws a TypeError naming the argument for anything but bytes, and keeps what it holds", () => {
    const reader = new AuthReplyReader();
    assert.deepEqual(reader.push(fromHex("ffaa1501")), []);
    for (const bad of [null, "ffaa", [0xff, 0xaa]]) {
      assert.throws(() => reader.push(bad as unknown as Uint8Array), /TypeError: AuthReplyReader\.push\(\) takes/);
    }
    assert.deepEqual(
      reader.push(fromHex("0016")).map((reply) => reply.command),
      [0x15],
    );
  });

  // A random byte of 0xDD and a 0x77 must not confuse either reader.
  const replies = ["ffaa15010016", "ffaa1701ddf5", "ffaa18010019", "ffaa1701778f", "ffaa1d01001e"];
  const frames = ["dd0400080f450f3d0f370f3dfec677", "dde10000000077"];
  const stream = concatBytes(
    fromHex("00ff01"),
    fromHex(replies[0]!),
    fromHex(frames[0]!),
    fromHex(replies[1]!),
    fromHex(replies[2]!),
    fromHex("ffaa"),
    fromHex(frames[1]!),
    fromHex(replies[3]!),
    fromHex(replies[4]!),
  );

  it("picks every FF AA reply out of a mixed stream however it is split, while FrameAssembler gets the DD frames", () => {
    for (let size = 1; size <= stream.length; size++) {
      const reader = new AuthReplyReader();
      const assembler = new FrameAssembler();
      const got: string[] = [];
      const ddFrames: string[] = [];
      for (const chunk of splitEvery(stream, size)) {
        for (const reply of reader.push(chunk))
          got.push(toHex(encodeAuthReply(reply.command, reply.random ?? reply.status)));
        for (const frame of assembler.push(chunk)) ddFrames.push(toHex(frame.raw));
        assert.ok(reader.bufferedBytes < 6, `holds ${reader.bufferedBytes} bytes`);
      }
      assert.deepEqual(got, replies, `notifications of ${size} bytes`);
      assert.deepEqual(ddFrames, frames, `notifications of ${size} bytes`);
      assert.equal(reader.bufferedBytes, 0);
    }
  });

  it("reports a damaged reply and still reads the next one", () => {
    const rejected: ProtocolError[] = [];
    const reader = new AuthReplyReader({ onReject: (error) => rejected.push(error) });
    const got = reader.push(fromHex("ffaa15010017" + "ffaa18010019"));
    assert.deepEqual(got, [{ command: AuthCommand.Password, status: 0 }]);
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.reason, "checksum");
  });

  it("skips a header that announces more than a reply carries at once, so it holds nothing back", () => {
    const rejected: ProtocolError[] = [];
    const reader = new AuthReplyReader({ onReject: (error) => rejected.push(error) });
    assert.deepEqual(reader.push(fromHex("ffaa1506")), []);
    assert.equal(reader.bufferedBytes, 0);
    assert.deepEqual(reader.push(fromHex("ffaa1d01001e")), [{ command: AuthCommand.Root, status: 0 }]);
    assert.deepEqual(
      rejected.map((e) => e.reason),
      ["length"],
    );
  });

  it("forgets a partial reply on reset", () => {
    const reader = new AuthReplyReader();
    reader.push(fromHex("ffaa1501"));
    assert.equal(reader.bufferedBytes, 4);
    reader.reset();
    assert.equal(reader.bufferedBytes, 0);
    assert.deepEqual(reader.push(fromHex("0016")), []);
  });
});
