import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";

// The module object itself, not an import namespace copy: HostBindings looks fork up on it at every call.
import childProcess = require("node:child_process");

import { afterEach, describe, it } from "node:test";
import withBindings from "@abandonware/noble/with-bindings";
import { HostBindings } from "../../src/ble/host/host-bindings";
import { type EventMessage, isChildToParent } from "../../src/ble/host/ipc-protocol";
import { WriteCommandEchoes } from "../../src/ble/host/write-command-echoes";
import { encodeReadRequest } from "../../src/protocol";
import { withinSafetyTimeout } from "./host-test-helpers";
import { decodeBasicInfo, findPeripheral, openLink, Register, waitPoweredOn } from "./jbd-over-noble";

describe("WriteCommandEchoes", () => {
  it("swallows one echo per write command handed over, per characteristic, and nothing else", () => {
    const echoes = new WriteCommandEchoes();
    echoes.expect("p1", "ff00", "ff02");
    echoes.expect("p1", "ff00", "ff02");
    assert.equal(echoes.swallow("p1", "ff00", "ff03"), false, "another characteristic");
    assert.equal(echoes.swallow("p2", "ff00", "ff02"), false, "another peripheral");
    assert.equal(echoes.swallow("p1", "ff00", "ff02"), true);
    assert.equal(echoes.swallow("p1", "ff00", "ff02"), true);
    assert.equal(echoes.swallow("p1", "ff00", "ff02"), false, "a write request's confirmation passes");
  });

  it("withdraws the echo of a command the bindings refused, and forgets a peripheral's echoes when its link ends", () => {
    const echoes = new WriteCommandEchoes();
    echoes.expect("p1", "ff00", "ff02");
    echoes.withdraw("p1", "ff00", "ff02");
    assert.equal(echoes.swallow("p1", "ff00", "ff02"), false);
    echoes.expect("p1", "ff00", "ff02");
    echoes.expect("p2", "ff00", "ff02");
    echoes.forget("p1");
    assert.equal(echoes.swallow("p1", "ff00", "ff02"), false);
    assert.equal(echoes.swallow("p2", "ff00", "ff02"), true, "other peripherals keep theirs");
  });
});

/**
 * Every adapter host child forked while `body` runs, with the events it sends, observed on the real child process
 * object (fork itself is called through unchanged).
 */
async function watchingHostChildren(body: (events: EventMessage[]) => Promise<void>): Promise<void> {
  const fork = childProcess.fork;
  const events: EventMessage[] = [];
  const watch = (child: ChildProcess) =>
    child.on("message", (message: unknown) => {
      if (isChildToParent(message) && message.kind === "event") events.push(message);
    });
  Object.assign(childProcess, { fork: (...args: Parameters<typeof fork>) => watch(fork(...args)) });
  try {
    await body(events);
  } finally {
    Object.assign(childProcess, { fork });
  }
}

const hosts: HostBindings[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()));
});

describe("adapter host: the write event of a write command", () => {
  it("comes from the parent, once per command; the child sends none, and still forwards a write request's", async () => {
    await watchingHostChildren(async (fromChild) => {
      const bindings = new HostBindings({
        transport: "simulator",
        simulator: { batteries: 1, cells: 4, faults: "none", latency: "instant", seed: 16 },
      });
      hosts.push(bindings);
      const noble = withBindings(bindings);
      await waitPoweredOn(noble);
      const link = await openLink(await findPeripheral(noble, "AA:BB:CC:00:00:01"));
      let writeEvents = 0;
      link.tx.on("write", () => {
        writeEvents += 1;
      });

      for (let i = 0; i < 3; i++) {
        assert.equal(decodeBasicInfo((await link.read(Register.BasicInfo)).frame).cellCount, 4);
      }
      assert.equal(writeEvents, 3, "noble saw one write event per command");
      assert.deepEqual(
        fromChild.filter((event) => event.name === "write"),
        [],
        "no write event crossed the IPC channel for a write command",
      );

      const request = Buffer.from(encodeReadRequest(Register.BasicInfo));
      await withinSafetyTimeout(link.tx.writeAsync(request, false), "write with response");
      assert.equal(writeEvents, 4);
      assert.equal(fromChild.filter((event) => event.name === "write").length, 1, "the peer's confirmation");
      await withinSafetyTimeout(link.peripheral.disconnectAsync(), "disconnect");
    });
  });
});
