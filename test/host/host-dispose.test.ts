import assert from "node:assert/strict";
import { describe, it } from "node:test";
import withBindings from "@abandonware/noble/with-bindings";
import { HOST_EXIT_EVENT, HostBindings, type HostExitEvent } from "../../src/ble/host/host-bindings";
import { nextEvent, processExists, withinSafetyTimeout } from "./host-test-helpers";
import { waitPoweredOn } from "./jbd-over-noble";

describe("adapter host dispose", () => {
  it("sends the child SIGTERM, which it turns into a clean exit, and resolves once the child has gone", async () => {
    // A kill grace beyond the safety timeout: only SIGTERM can end the child within the test.
    const bindings = new HostBindings(
      {
        transport: "simulator",
        simulator: { batteries: 1, cells: 4, faults: "none", latency: "instant" },
      },
      { killGraceMs: 40_000 },
    );
    try {
      const noble = withBindings(bindings);
      await waitPoweredOn(noble);
      const pid = bindings.childPid;
      assert.ok(pid !== undefined && processExists(pid));
      const exited = nextEvent<[HostExitEvent]>(bindings, HOST_EXIT_EVENT);
      await withinSafetyTimeout(bindings.dispose(), "dispose");
      const [exit] = await exited;
      assert.deepEqual(
        { pid: exit.pid, code: exit.code, signal: exit.signal, restartInMs: exit.restartInMs },
        { pid, code: 0, signal: null, restartInMs: undefined },
        "the child ran its SIGTERM handler (exit code 0), was not killed, and is not restarted",
      );
      assert.equal(processExists(pid), false);
    } finally {
      // A failed step above must not leave the child running (it would hold this process open).
      await bindings.dispose();
    }
  });
});
