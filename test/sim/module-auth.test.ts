import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AuthCommand,
  decodeAuthReply,
  encodeAuthAppKey,
  encodeAuthPassword,
  encodeAuthRandomRequest,
  encodeAuthRoot,
  toHex,
} from "../../src/protocol";
import { SimWorld, simAddress } from "../../src/sim";
import { ModuleAuth } from "../../src/sim/module-auth";
import { AUTH_VECTORS, type AuthVector, vectorFrame } from "../protocol/auth-vectors";
import { fromHex } from "../protocol/bytes";
import { exchange, framesOf, type JbdLink, openLink, READ_BASIC, settle, simulatorPerTest } from "./sim-harness";

const APP_KEY_ACK = "ffaa15010016";
const PASSWORD_ACK = "ffaa18010019";
const PASSWORD_NACK = "ffaa1801011a";
const ROOT_ACK = "ffaa1d01001e";
const ROOT_NACK = "ffaa1d01011f";

/** A module with the vector's address and password whose 0x17 replies are the given random bytes, in turn. */
function moduleFor(mac: string, password: string, randoms: number[]): ModuleAuth {
  const queue = [...randoms];
  return new ModuleAuth(mac, password, () => {
    const next = queue.shift();
    if (next === undefined) throw new Error("the test ran out of random bytes");
    return next;
  });
}

const reply = (auth: ModuleAuth, request: Uint8Array | string) =>
  toHex(auth.respond(typeof request === "string" ? fromHex(request) : request) ?? new Uint8Array(0));

const vector = (mac: string, password: string, random: number): AuthVector => {
  const found = AUTH_VECTORS.find((v) => v.mac === mac && v.password === password && v.random === random);
  if (!found) throw new Error(`no vector ${mac} ${password} ${random}`);
  return found;
};

describe("simulated module: the FF AA derivation, checked with the ten vectors of PROTOCOL 5.2", () => {
  // Each captured session: the module's password, its random bytes, the password frame and the root frame it got.
  const sessions = [
    // 2024 capture: the root frame reuses the password's random byte, no second 0x17.
    { mac: "a4:c1:37:04:2d:be", password: "123123", randoms: [0x37] },
    { mac: "a4:c1:37:04:2d:be", password: "123412", randoms: [0x61] },
    // ESPHome and the 2025 capture ask for a fresh random byte before the root password.
    { mac: "10:a5:62:32:75:36", password: "123456", randoms: [0x24, 0xc9] },
    { mac: "10:a5:62:32:75:36", password: "123456", randoms: [0x45, 0xf3] },
  ];
  for (const { mac, password, randoms } of sessions) {
    it(`accepts the captured frames of ${mac} "${password}" with random ${randoms.map((r) => `0x${r.toString(16)}`)}`, () => {
      const auth = moduleFor(mac, password, randoms);
      assert.equal(reply(auth, encodeAuthAppKey()), APP_KEY_ACK);
      const first = decodeAuthReply(fromHex(reply(auth, encodeAuthRandomRequest())));
      assert.deepEqual(first, { command: AuthCommand.RandomRequest, random: randoms[0] });
      assert.equal(reply(auth, vectorFrame(vector(mac, password, randoms[0]!))), PASSWORD_ACK);
      assert.equal(auth.open, false, "not open before the root password");
      const rootRandom = randoms[1] ?? randoms[0]!;
      if (randoms.length > 1) {
        assert.equal(decodeAuthReply(fromHex(reply(auth, encodeAuthRandomRequest()))).random, rootRandom);
      }
      assert.equal(reply(auth, vectorFrame(vector(mac, "root", rootRandom))), ROOT_ACK);
      assert.equal(auth.open, true);
    });
  }

  it('NACKs the captured wrong passwords "000000" and "111111" of a module whose password is "123412"', () => {
    for (const wrong of [vector("a4:c1:37:04:2d:be", "000000", 0x62), vector("a4:c1:37:04:2d:be", "111111", 0x21)]) {
      const auth = moduleFor(wrong.mac, "123412", [wrong.random]);
      reply(auth, encodeAuthAppKey());
      reply(auth, encodeAuthRandomRequest());
      assert.equal(reply(auth, vectorFrame(wrong)), PASSWORD_NACK, wrong.password);
      assert.equal(reply(auth, encodeAuthRoot(wrong.mac, wrong.random)), ROOT_NACK, "no root after a wrong password");
      assert.equal(auth.open, false);
    }
  });

  it("refuses the steps out of order: no password before the app key and a random byte, no root before the password", () => {
    const mac = "10:a5:62:32:75:36";
    const early = moduleFor(mac, "123456", [0x24]);
    assert.equal(reply(early, encodeAuthPassword(mac, "123456", 0x24)), PASSWORD_NACK, "no random byte asked yet");
    const noKey = moduleFor(mac, "123456", [0x24]);
    reply(noKey, encodeAuthRandomRequest());
    assert.equal(reply(noKey, encodeAuthPassword(mac, "123456", 0x24)), PASSWORD_NACK, "no app key");
    const noPassword = moduleFor(mac, "123456", [0x24]);
    reply(noPassword, encodeAuthAppKey());
    reply(noPassword, encodeAuthRandomRequest());
    assert.equal(reply(noPassword, encodeAuthRoot(mac, 0x24)), ROOT_NACK);
    assert.equal(noPassword.open, false);
    const stale = moduleFor(mac, "123456", [0x24, 0x25]);
    reply(stale, encodeAuthAppKey());
    reply(stale, encodeAuthRandomRequest());
    reply(stale, encodeAuthRandomRequest());
    assert.equal(reply(stale, encodeAuthPassword(mac, "123456", 0x24)), PASSWORD_NACK, "keyed by the latest byte");
    assert.equal(reply(stale, "ffaa15063030303030303c"), "", "a bad checksum is ignored");
    assert.equal(reply(stale, "ffaa1506313233343536" + "50"), "ffaa15010117", "an app key other than 000000");
  });

  it("refuses a password that is not 6 printable ASCII characters", () => {
    assert.throws(() => new ModuleAuth("aa:bb:cc:00:00:01", "12345", () => 0), TypeError);
    assert.throws(() => new SimWorld({ batteries: 1, cells: 4, password: "1234567" }), TypeError);
  });
});

describe("simulated module with simPassword, through the real noble", () => {
  const sim = simulatorPerTest();
  const connect = (password: string | undefined, batteries = 1) =>
    sim.start({ batteries, cells: 4, latency: "realistic", ...(password === undefined ? {} : { password }) });

  /** Sends one FF AA frame and returns the decoded reply (exactly one notification). */
  async function step(link: JbdLink, request: Uint8Array) {
    const chunks = await exchange(sim.clock, link, toHex(request));
    assert.equal(chunks.length, 1, `one notification for ${toHex(request)}`);
    return decodeAuthReply(chunks[0]!);
  }

  /** The whole handshake with `password`; returns the random bytes the module handed out. */
  async function handshake(link: JbdLink, address: string, password: string): Promise<number[]> {
    assert.deepEqual(await step(link, encodeAuthAppKey()), { command: AuthCommand.AppKey, status: 0 });
    const first = (await step(link, encodeAuthRandomRequest())).random!;
    assert.deepEqual(await step(link, encodeAuthPassword(address, password, first)), {
      command: AuthCommand.Password,
      status: 0,
    });
    const second = (await step(link, encodeAuthRandomRequest())).random!;
    assert.deepEqual(await step(link, encodeAuthRoot(address, second)), { command: AuthCommand.Root, status: 0 });
    return [first, second];
  }

  it("relays nothing until the handshake with the right password, then answers DD requests", async () => {
    const noble = await connect("123456");
    const link = await openLink(sim.clock, noble, 1);
    assert.deepEqual(await exchange(sim.clock, link, READ_BASIC, 4000), [], "no DD reply before the handshake");
    assert.equal(sim.bindings.stats().notRelayed, 1);
    await handshake(link, simAddress(1), "123456");
    const [frame] = framesOf(await exchange(sim.clock, link, READ_BASIC));
    assert.equal(frame?.[1], 0x03, "0x03 answered once authenticated");
  });

  it("NACKs a wrong password and keeps relaying nothing", async () => {
    const noble = await connect("123456");
    const link = await openLink(sim.clock, noble, 1);
    await step(link, encodeAuthAppKey());
    const random = (await step(link, encodeAuthRandomRequest())).random!;
    assert.deepEqual(await step(link, encodeAuthPassword(simAddress(1), "654321", random)), {
      command: AuthCommand.Password,
      status: 1,
    });
    const again = (await step(link, encodeAuthRandomRequest())).random!;
    assert.equal((await step(link, encodeAuthRoot(simAddress(1), again))).status, 1, "no root after a NACK");
    assert.deepEqual(await exchange(sim.clock, link, READ_BASIC, 4000), []);
  });

  it("uses each battery's own address: battery 1's frames do not open battery 2", async () => {
    const noble = await connect("123456", 2);
    const link = await openLink(sim.clock, noble, 2);
    await step(link, encodeAuthAppKey());
    const random = (await step(link, encodeAuthRandomRequest())).random!;
    assert.equal((await step(link, encodeAuthPassword(simAddress(1), "123456", random))).status, 1);
  });

  it("starts every link locked and draws fresh random bytes per link", async () => {
    const noble = await connect("123456");
    const first = await openLink(sim.clock, noble, 1);
    const firstRandoms = await handshake(first, simAddress(1), "123456");
    await settle(sim.clock, first.peripheral.disconnectAsync());
    await sim.clock.tickAsync(500);
    const second = await openLink(sim.clock, noble, 1);
    assert.deepEqual(await exchange(sim.clock, second, READ_BASIC, 4000), [], "a new link is locked again");
    const secondRandoms = await handshake(second, simAddress(1), "123456");
    assert.notDeepEqual(secondRandoms, firstRandoms);
    assert.equal(framesOf(await exchange(sim.clock, second, READ_BASIC)).length, 1);
  });

  it("without a password: a module without FF AA, which ignores FF AA and answers DD at once", async () => {
    const noble = await connect(undefined);
    const link = await openLink(sim.clock, noble, 1);
    assert.deepEqual(await exchange(sim.clock, link, toHex(encodeAuthAppKey()), 4000), []);
    assert.equal(framesOf(await exchange(sim.clock, link, READ_BASIC)).length, 1);
    assert.equal(sim.bindings.stats().notRelayed, 0);
  });
});
