import assert from "node:assert/strict";
import type { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import withBindings from "@abandonware/noble/with-bindings";
import FakeTimers from "@sinonjs/fake-timers";
import { BINDINGS_UNAVAILABLE_EVENT, type BindingsUnavailableEvent } from "../../src/bindings/noble-bindings";
import { HCI_SOCKET_ENV, NOBLE_HCI_SOCKET } from "../../src/ble/host/hci-socket-choice";
import { HOST_EXIT_EVENT, HOST_START_EVENT, HostBindings, type HostExitEvent } from "../../src/ble/host/host-bindings";
import { nextEvent, processExists, processHookCounts } from "./host-test-helpers";

// This machine has no usable Bluetooth: the kernel refuses the socket (EAFNOSUPPORT). The adapter host loads the
// prebuilt socket module (an optional dependency, installed by npm ci) on every Node.js, so the message names it.
const FIX = /^Bluetooth adapter hci0 unavailable over @stoprocent\/bluetooth-hci-socket: .*no Bluetooth HCI support/;

describe("adapter host with transport hci on a machine without Bluetooth", () => {
  it("reports unavailable with the fix, noble sees a non-poweredOn state, and this process stays up", async () => {
    const hooksBefore = processHookCounts();
    const bindings = new HostBindings({ transport: "hci", hciDevice: 0 });
    const noble = withBindings(bindings);
    const started = nextEvent<[{ pid: number }]>(bindings, HOST_START_EVENT);
    const unavailable = nextEvent<[BindingsUnavailableEvent]>(bindings, BINDINGS_UNAVAILABLE_EVENT);
    const state = nextEvent<[string]>(noble as unknown as EventEmitter, "stateChange");
    noble.on("stateChange", () => undefined); // noble initialises its bindings on the first stateChange listener
    const [{ pid }] = await started;
    const [{ message }] = await unavailable;
    assert.match(message, FIX);
    const [reported] = await state;
    assert.ok(reported === "unsupported" || reported === "unauthorized", reported);
    assert.equal(noble._state, reported);
    assert.equal(bindings.unavailableMessage, message);

    await bindings.dispose();
    assert.equal(processExists(pid), false);
    assert.equal(bindings.childPid, undefined);
    assert.deepEqual(processHookCounts(), hooksBefore);
    noble.removeAllListeners();
  });

  it("does not restart a permanently unavailable adapter in a hot loop: backoff doubles, the message stays", async () => {
    const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout"] });
    const bindings = new HostBindings(
      { transport: "hci", hciDevice: 0 },
      { restartInitialMs: 1_000, restartMaxMs: 4_000 },
    );
    try {
      const delays: Array<number | undefined> = [];
      let unavailableEvents = 0;
      bindings.on(BINDINGS_UNAVAILABLE_EVENT, () => {
        unavailableEvents += 1;
      });
      for (let round = 0; round < 4; round++) {
        const exited = nextEvent<[HostExitEvent]>(bindings, HOST_EXIT_EVENT);
        if (round === 0) bindings.init();
        const [exit] = await exited;
        delays.push(exit.restartInMs);
        assert.equal(bindings.childPid, undefined);
        assert.match(bindings.unavailableMessage ?? "", FIX);
        const restarted = nextEvent(bindings, HOST_START_EVENT);
        let early = false;
        const onEarly = () => {
          early = true;
        };
        bindings.once(HOST_START_EVENT, onEarly);
        clock.tick((exit.restartInMs ?? 0) - 1);
        assert.equal(early, false, `restarted before ${exit.restartInMs} ms`);
        bindings.off(HOST_START_EVENT, onEarly);
        clock.tick(1);
        await restarted;
      }
      assert.deepEqual(delays, [1_000, 2_000, 4_000, 4_000]);
      assert.equal(unavailableEvents, 1, "the same reason is reported once, not on every retry");
      // Let the last child report and exit too; dispose() then has only the pending restart to clear.
      await nextEvent(bindings, HOST_EXIT_EVENT);
      assert.equal(clock.countTimers(), 1);
      await bindings.dispose();
      assert.equal(clock.countTimers(), 0);
    } finally {
      clock.uninstall();
      await bindings.dispose();
    }
  });

  it(`with ${HCI_SOCKET_ENV} naming noble's own module, the host tries only that one and says so`, async () => {
    const before = process.env[HCI_SOCKET_ENV];
    process.env[HCI_SOCKET_ENV] = NOBLE_HCI_SOCKET; // the child inherits this process's environment
    const bindings = new HostBindings({ transport: "hci", hciDevice: 0 });
    try {
      const unavailable = nextEvent<[BindingsUnavailableEvent]>(bindings, BINDINGS_UNAVAILABLE_EVENT);
      bindings.init();
      const [{ message }] = await unavailable;
      // Built for this Node.js it opens and meets EAFNOSUPPORT; otherwise it does not load, and the message says why.
      assert.match(
        message,
        /^Bluetooth adapter hci0 unavailable( over @abandonware\/bluetooth-hci-socket: .*no Bluetooth HCI support|: no Bluetooth HCI socket module loads: @abandonware\/bluetooth-hci-socket (is not built|was built for another Node\.js or CPU)\. Fix: `npm rebuild @abandonware\/bluetooth-hci-socket`)/,
      );
      assert.doesNotMatch(message, /stoprocent/);
    } finally {
      if (before === undefined) delete process.env[HCI_SOCKET_ENV];
      else process.env[HCI_SOCKET_ENV] = before;
      await bindings.dispose();
    }
  });
});
