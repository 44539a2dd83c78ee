import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { processRunning, SAFETY_TIMEOUT_MS } from "./host-test-helpers";

const FIXTURE = path.join(__dirname, "exit-hooks-fixture.js");

interface FixtureLine {
  event: string;
  hostPid?: number;
  signal?: string;
}

function startFixture(mode: "alone" | "own-handler"): {
  fixture: ChildProcess;
  lines: FixtureLine[];
  ready: Promise<number>;
} {
  const fixture = spawn(process.execPath, [FIXTURE, mode], { stdio: ["ignore", "pipe", "inherit"] });
  const lines: FixtureLine[] = [];
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("fixture never reported ready")), SAFETY_TIMEOUT_MS);
    let buffered = "";
    fixture.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let at = buffered.indexOf("\n"); at >= 0; at = buffered.indexOf("\n")) {
        const line = JSON.parse(buffered.slice(0, at)) as FixtureLine;
        buffered = buffered.slice(at + 1);
        lines.push(line);
        if (line.event === "ready" && line.hostPid !== undefined) {
          clearTimeout(timer);
          resolve(line.hostPid);
        }
      }
    });
    fixture.once("exit", () => reject(new Error("fixture exited before it was ready")));
  });
  return { fixture, lines, ready };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** The host exits asynchronously after its parent is gone; look until it has (bounded by the safety timeout). */
async function waitUntilGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + SAFETY_TIMEOUT_MS;
  while (processRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe("adapter host process hooks", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} with no other handler still terminates the process (not swallowed) and the host goes too`, async () => {
      const { fixture, ready } = startFixture("alone");
      const hostPid = await ready;
      assert.ok(processRunning(hostPid));
      fixture.kill(signal);
      const exit = await exitOf(fixture);
      assert.deepEqual(exit, { code: null, signal });
      assert.ok(await waitUntilGone(hostPid), `host ${hostPid} still running`);
    });
  }

  it("with the application's own SIGTERM handler (as Node-RED has), that handler decides and the host is stopped", async () => {
    const { fixture, lines, ready } = startFixture("own-handler");
    const hostPid = await ready;
    fixture.kill("SIGTERM");
    const exit = await exitOf(fixture);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(lines.some((line) => line.event === "handled" && line.signal === "SIGTERM"));
    assert.ok(await waitUntilGone(hostPid), `host ${hostPid} still running`);
  });

  it("SIGKILL of the parent leaves no orphan: the host exits when the IPC channel closes", async () => {
    const { fixture, ready } = startFixture("alone");
    const hostPid = await ready;
    fixture.kill("SIGKILL");
    await exitOf(fixture);
    assert.ok(await waitUntilGone(hostPid), `host ${hostPid} orphaned`);
  });
});
