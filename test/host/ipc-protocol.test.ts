import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeHostArgument,
  decodeValue,
  encodeHostArgument,
  encodeValue,
  isChildToParent,
  isParentToChild,
} from "../../src/ble/host/ipc-protocol";

/** What the IPC channel does to a message: JSON there and back. */
function overIpc(value: unknown): unknown {
  return decodeValue(JSON.parse(JSON.stringify(encodeValue(value))));
}

describe("adapter host IPC encoding", () => {
  it("brings Buffers back as Buffers, also nested in an advertisement", () => {
    const advertisement = {
      localName: "xiaoxiang BMS",
      manufacturerData: Buffer.from([0x01, 0x02, 0xff]),
      serviceData: [{ uuid: "ff00", data: Buffer.from("dd03", "hex") }],
      serviceUuids: ["ff00"],
    };
    const back = overIpc(["aabbcc000001", "aa:bb:cc:00:00:01", "public", true, advertisement, -60]) as unknown[];
    const adv = back[4] as typeof advertisement;
    assert.ok(Buffer.isBuffer(adv.manufacturerData));
    assert.deepEqual([...adv.manufacturerData], [0x01, 0x02, 0xff]);
    assert.ok(Buffer.isBuffer(adv.serviceData[0]?.data));
    assert.equal(adv.serviceData[0]?.data.toString("hex"), "dd03");
    assert.deepEqual(back.slice(0, 4), ["aabbcc000001", "aa:bb:cc:00:00:01", "public", true]);
    assert.equal(back[5], -60);
  });

  it("carries typed arrays (noble accepts them for writes) as Buffers of the same bytes", () => {
    const bytes = new Uint16Array([0x0102, 0x0304]);
    const back = overIpc(bytes) as Buffer;
    assert.ok(Buffer.isBuffer(back));
    assert.deepEqual(back, Buffer.from(bytes.buffer));
  });

  it("keeps an Error's message and keeps null distinct from an error (connect success vs failure)", () => {
    const back = overIpc(["id", new Error("Command Disallowed (0xc)")]) as unknown[];
    assert.ok(back[1] instanceof Error);
    assert.equal((back[1] as Error).message, "Command Disallowed (0xc)");
    assert.deepEqual(overIpc(["id", null]), ["id", null]);
  });

  it("keeps undefined arguments undefined (noble's HCI connect defaults only an undefined parameters object)", () => {
    assert.deepEqual(overIpc(["aabbcc000001", undefined]), ["aabbcc000001", undefined]);
    assert.deepEqual(overIpc({ a: 1, b: undefined }), { a: 1 });
  });

  it("leaves plain objects that merely have a $buffer field among others alone", () => {
    assert.deepEqual(overIpc({ $buffer: "00", other: 1 }), { $buffer: "00", other: 1 });
  });

  it("decodes a __proto__ key as a plain own property, never as the prototype of the decoded object", () => {
    // JSON.parse makes "__proto__" an own key; assigning it to a fresh object would set that object's prototype.
    const wire = JSON.parse('{"a":1,"__proto__":{"polluted":true},"nested":[{"__proto__":{"$buffer":"00"}}]}');
    const decoded = decodeValue(wire) as Record<string, unknown> & { nested: Array<Record<string, unknown>> };
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal((decoded as { polluted?: unknown }).polluted, undefined);
    assert.ok(Object.hasOwn(decoded, "__proto__"));
    assert.deepEqual(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value, { polluted: true });
    const inner = decoded.nested[0]!;
    assert.equal(Object.getPrototypeOf(inner), Object.prototype);
    assert.ok(Buffer.isBuffer(Object.getOwnPropertyDescriptor(inner, "__proto__")?.value));
    assert.equal(decoded.a, 1);
  });

  it("round-trips the adapter configuration and refuses an unknown transport", () => {
    const config = {
      transport: "simulator" as const,
      simulator: { batteries: 2, cells: 4, faults: "none" as const, latency: "instant" as const },
      inHost: true,
    };
    assert.deepEqual(decodeHostArgument(encodeHostArgument(config)), config);
    assert.throws(() => decodeHostArgument('{"transport":"usb"}'), /unknown transport/);
    assert.throws(() => decodeHostArgument(undefined), /missing/);
  });

  it("recognises only well-formed messages", () => {
    assert.ok(isParentToChild({ kind: "call", method: "connect", args: ["id"] }));
    assert.ok(!isParentToChild({ kind: "call", method: 3, args: [] }));
    assert.ok(isChildToParent({ kind: "event", name: "scanStart", args: [false] }));
    assert.ok(isChildToParent({ kind: "unavailable", state: "unsupported", message: "x" }));
    assert.ok(!isChildToParent({ kind: "event", name: "scanStart" }));
    assert.ok(!isChildToParent(null));
  });
});
