import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  chooseHciSocket,
  HCI_SOCKET_ENV,
  HCI_SOCKET_MODULES,
  NOBLE_HCI_SOCKET,
  NoHciSocketError,
  PREBUILT_HCI_SOCKET,
} from "../../src/ble/host/hci-socket-choice";
import type { NobleHciOutcome } from "./noble-hci-fixture";

// noble's real hci.js over the real socket modules (the prebuilt binary as npm installed it, noble's own as it was
// built) on this machine, whose kernel has no Bluetooth: socket() fails with EAFNOSUPPORT. That failure is where the
// two modules' contracts differ, and the adapter host's NobleHciSocket is what makes them the same for noble.

const FIXTURE = path.join(__dirname, "noble-hci-fixture.js");
type Mode = "as-noble-gets-it" | "unadapted";

function runNobleHci(socketModule: string, mode: Mode): NobleHciOutcome {
  const line = execFileSync(process.execPath, [FIXTURE, socketModule, mode], { encoding: "utf8", timeout: 20_000 });
  return JSON.parse(line) as NobleHciOutcome;
}

/** The methods noble's hci.js calls on its socket, read from the hci.js that noble runs. */
function methodsHciJsCalls(): string[] {
  const source = readFileSync(require.resolve("@abandonware/noble/lib/hci-socket/hci"), "utf8");
  return [...new Set([...source.matchAll(/this\._socket\.(\w+)\(/g)].map((match) => match[1] as string))].sort();
}

function loadsHere(socketModule: string): boolean {
  try {
    chooseHciSocket([socketModule]);
    return true;
  } catch {
    return false;
  }
}

const builtNotLoading = loadsHere(NOBLE_HCI_SOCKET)
  ? false
  : `${NOBLE_HCI_SOCKET} does not load on Node.js ${process.version} here (not built for it)`;

describe("the HCI socket modules under noble's hci.js", () => {
  it("the prebuilt module loads on this Node.js without a build step", () => {
    assert.equal(chooseHciSocket([PREBUILT_HCI_SOCKET]).module, PREBUILT_HCI_SOCKET);
    assert.equal(chooseHciSocket().module, PREBUILT_HCI_SOCKET, "and is the default when present");
  });

  it(`${HCI_SOCKET_ENV} names the one module to try; a name that is not one of them is refused`, () => {
    const before = process.env[HCI_SOCKET_ENV];
    try {
      process.env[HCI_SOCKET_ENV] = "@bmskit/no-such-hci-socket";
      assert.throws(() => chooseHciSocket(), /is not one of @stoprocent\/bluetooth-hci-socket, @abandonware/);
      process.env[HCI_SOCKET_ENV] = NOBLE_HCI_SOCKET;
      try {
        assert.equal(chooseHciSocket().module, NOBLE_HCI_SOCKET);
      } catch (error) {
        assert.ok(error instanceof NoHciSocketError);
        assert.deepEqual(
          error.attempts.map((attempt) => attempt.module),
          [NOBLE_HCI_SOCKET],
          "only the named module was tried",
        );
      }
    } finally {
      if (before === undefined) delete process.env[HCI_SOCKET_ENV];
      else process.env[HCI_SOCKET_ENV] = before;
    }
  });

  it("every module that loads here, and the socket noble gets, has each method hci.js calls", () => {
    const calls = methodsHciJsCalls();
    assert.deepEqual(calls, [
      "bindRaw",
      "bindUser",
      "isDevUp",
      "on",
      "removeAllListeners",
      "setFilter",
      "start",
      "write",
    ]);
    for (const socketModule of HCI_SOCKET_MODULES.filter(loadsHere)) {
      for (const mode of ["unadapted", "as-noble-gets-it"] as const) {
        const { methods } = runNobleHci(socketModule, mode);
        for (const call of calls) assert.ok(methods.includes(call), `${socketModule} ${mode}: ${call}`);
      }
    }
  });

  it("the prebuilt module as it is: noble sees only poweredOff, and its error events carry no code", () => {
    // Why the adapter host does not hand it to noble as it is: the host would report ADAPTER_OFF for ever instead
    // of saying that this kernel has no Bluetooth.
    const outcome = runNobleHci(PREBUILT_HCI_SOCKET, "unadapted");
    assert.equal(outcome.thrown, undefined);
    assert.deepEqual(outcome.states, ["poweredOff"]);
    assert.equal(outcome.unboundErrorCodes.length, 1);
    assert.equal(outcome.unboundErrorCodes[0] ?? undefined, undefined);
  });

  it("the prebuilt module as noble gets it: the failed socket is thrown by init() with its code", () => {
    const outcome = runNobleHci(PREBUILT_HCI_SOCKET, "as-noble-gets-it");
    assert.equal(outcome.thrown?.code, "EAFNOSUPPORT");
    assert.match(outcome.thrown?.message ?? "", /Address family not supported/);
    assert.deepEqual(outcome.states, [], "no poweredOff before the failure");
    assert.deepEqual(outcome.unboundErrorCodes, ["EAFNOSUPPORT"]);
  });

  it("noble's own module fails the same way, as it is and as noble gets it", { skip: builtNotLoading }, () => {
    const prebuilt = runNobleHci(PREBUILT_HCI_SOCKET, "as-noble-gets-it");
    for (const mode of ["unadapted", "as-noble-gets-it"] as const) {
      const outcome = runNobleHci(NOBLE_HCI_SOCKET, mode);
      assert.equal(outcome.thrown?.code, prebuilt.thrown?.code, mode);
      assert.deepEqual(outcome.states, prebuilt.states, mode);
    }
  });
});
