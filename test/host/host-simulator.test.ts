import assert from "node:assert/strict";
import type { EventEmitter } from "node:events";
import { afterEach, describe, it } from "node:test";
import withBindings from "@abandonware/noble/with-bindings";
import { HOST_EXIT_EVENT, HOST_LOST_REASON, HostBindings } from "../../src/ble/host/host-bindings";
import type { AdapterConfig } from "../../src/nodes/adapter-radio";
import { nextEvent, processExists, processHookCounts, withinSafetyTimeout } from "./host-test-helpers";
import {
  decodeBasicInfo,
  decodeCellVoltages,
  findPeripheral,
  openLink,
  Register,
  waitPoweredOn,
} from "./jbd-over-noble";

function simInHost(batteries: number, seed: number): AdapterConfig {
  return {
    transport: "simulator",
    simulator: { batteries, cells: 4, faults: "none", latency: "instant", seed },
    inHost: true,
  };
}

const hosts: HostBindings[] = [];
function startHost(config: AdapterConfig): { bindings: HostBindings; noble: ReturnType<typeof withBindings> } {
  // Restarts on real time here (the backoff itself is checked on a fake clock in hci-unavailable.test.ts).
  const bindings = new HostBindings(config, { restartInitialMs: 100 });
  hosts.push(bindings);
  return { bindings, noble: withBindings(bindings) };
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()));
});

describe("adapter host running the simulator, driven by the real noble over IPC", () => {
  it("scans, connects, discovers, subscribes and reads a chunked 0x03 reply", async () => {
    const { bindings, noble } = startHost(simInHost(2, 11));
    await waitPoweredOn(noble);
    assert.ok(bindings.childPid !== undefined && bindings.childPid !== process.pid);

    const peripheral = await findPeripheral(noble, "AA:BB:CC:00:00:02");
    assert.equal(peripheral.id, "aabbcc000002");
    assert.ok(peripheral.advertisement.serviceUuids.includes("ff00"));
    const link = await openLink(peripheral);
    const basic = await link.read(Register.BasicInfo);
    assert.equal(basic.frame.register, Register.BasicInfo);
    assert.ok(basic.chunks > 1, "a 0x03 reply is longer than one 20-byte notification");
    const info = decodeBasicInfo(basic.frame);
    assert.equal(info.cellCount, 4);
    assert.ok(info.voltage > 10 && info.voltage < 15, `a 4-cell pack voltage, got ${info.voltage}`);
    const cells = await link.read(Register.CellVoltages);
    assert.equal(decodeCellVoltages(cells.frame).length, 4);

    await withinSafetyTimeout(peripheral.disconnectAsync(), "disconnect");
    assert.equal(peripheral.state, "disconnected");
  });

  it("when the host dies mid-link, noble sees poweredOff and the disconnect; after the restart it reads again", async () => {
    const { bindings, noble } = startHost(simInHost(1, 12));
    await waitPoweredOn(noble);
    const peripheral = await findPeripheral(noble, "AA:BB:CC:00:00:01");
    const link = await openLink(peripheral);
    assert.equal(decodeBasicInfo((await link.read(Register.BasicInfo)).frame).cellCount, 4);

    const oldPid = bindings.childPid ?? -1;
    const emitter = noble as unknown as EventEmitter;
    const poweredOff = nextEvent<[string]>(emitter, "stateChange", (state) => state === "poweredOff");
    const disconnected = nextEvent<[number]>(peripheral as unknown as EventEmitter, "disconnect");
    const exited = nextEvent(bindings, HOST_EXIT_EVENT);
    process.kill(oldPid, "SIGKILL");
    await poweredOff;
    const [reason] = await disconnected;
    assert.equal(reason, HOST_LOST_REASON);
    assert.equal(peripheral.state, "disconnected");
    await exited;

    await waitPoweredOn(noble);
    assert.notEqual(bindings.childPid, oldPid);
    // noble still knows the peripheral, the new host has not seen it yet: refused, not wedged for ever.
    await assert.rejects(withinSafetyTimeout(peripheral.connectAsync(), "connect before a scan"), /scan for it first/);
    const again = await findPeripheral(noble, "AA:BB:CC:00:00:01");
    const relinked = await openLink(again);
    assert.equal(decodeBasicInfo((await relinked.read(Register.BasicInfo)).frame).cellCount, 4);
    await withinSafetyTimeout(again.disconnectAsync(), "disconnect");
  });

  it("dispose stops the child (its pid is gone), reports links lost, and leaves no process hook or timer", async () => {
    const hooksBefore = processHookCounts();
    const { bindings, noble } = startHost(simInHost(1, 13));
    await waitPoweredOn(noble);
    const peripheral = await findPeripheral(noble, "AA:BB:CC:00:00:01");
    await openLink(peripheral);
    const pid = bindings.childPid ?? -1;
    assert.ok(processExists(pid));
    assert.notDeepEqual(processHookCounts(), hooksBefore, "a running host hooks process exit");

    const disconnected = nextEvent(peripheral as unknown as EventEmitter, "disconnect");
    await withinSafetyTimeout(bindings.dispose(), "dispose");
    await disconnected;
    assert.equal(processExists(pid), false);
    assert.equal(bindings.childPid, undefined);
    assert.equal(noble._state, "poweredOff");
    assert.deepEqual(processHookCounts(), hooksBefore);
    // Nothing restarts after dispose, and late calls fail instead of hanging.
    const connectFailed = withinSafetyTimeout(peripheral.connectAsync(), "connect after dispose");
    await assert.rejects(connectFailed, /not running/);
    assert.equal(bindings.childPid, undefined);
  });

  it("runs two adapters side by side, one child each, each with its own batteries", async () => {
    const first = startHost(simInHost(1, 14));
    const second = startHost(simInHost(2, 15));
    await Promise.all([waitPoweredOn(first.noble), waitPoweredOn(second.noble)]);
    assert.notEqual(first.bindings.childPid, second.bindings.childPid);

    const [a, b] = await Promise.all([
      findPeripheral(first.noble, "AA:BB:CC:00:00:01"),
      findPeripheral(second.noble, "AA:BB:CC:00:00:02"),
    ]);
    const [linkA, linkB] = await Promise.all([openLink(a), openLink(b)]);
    const [readA, readB] = await Promise.all([linkA.read(Register.BasicInfo), linkB.read(Register.BasicInfo)]);
    assert.equal(decodeBasicInfo(readA.frame).cellCount, 4);
    assert.equal(decodeBasicInfo(readB.frame).cellCount, 4);

    const firstPid = first.bindings.childPid ?? -1;
    await first.bindings.dispose();
    assert.equal(processExists(firstPid), false);
    // The other adapter is untouched by the first one's end.
    assert.equal(decodeCellVoltages((await linkB.read(Register.CellVoltages)).frame).length, 4);
    await withinSafetyTimeout(b.disconnectAsync(), "disconnect");
  });
});
