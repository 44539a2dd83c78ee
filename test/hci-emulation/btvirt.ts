import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EmulatorBinaries } from "./emulator-build";

/**
 * One private btvirt per test run. btvirt serves fixed paths (/tmp/bt-server-le, …); the preload library moves them
 * into a fresh temporary folder that only this run knows (mode 0700), so concurrent runs on one machine never
 * reach or clobber each other's emulator. Every client of `leServer` gets its own emulated LE controller, and all
 * controllers of this btvirt share one "air".
 */
export class PrivateBtvirt {
  readonly folder: string;
  readonly leServer: string;
  private readonly child: ChildProcess;
  private exited: Promise<void>;

  private constructor(folder: string, child: ChildProcess) {
    this.folder = folder;
    this.leServer = path.join(folder, "bt-server-le");
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  static async start(binaries: EmulatorBinaries): Promise<PrivateBtvirt> {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "hci-emulation-"));
    const child = spawn(binaries.btvirt, ["-s", "-L"], {
      env: { ...process.env, LD_PRELOAD: binaries.preload, BTVIRT_SOCKET_DIR: folder },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const btvirt = new PrivateBtvirt(folder, child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Until the server is there or btvirt has ended; no limit in seconds: on a busy machine the few milliseconds of
    // CPU it needs can take a while to come round.
    while (!fs.existsSync(btvirt.leServer)) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await btvirt.stop();
        throw new Error(`btvirt ended without opening its LE server in ${folder}: ${stderr.trim() || "no output"}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return btvirt;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends btvirt (its preload removes the sockets) and the folder, whatever state the run left them in. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGTERM");
      const killer = setTimeout(() => this.child.kill("SIGKILL"), 2_000);
      await this.exited;
      clearTimeout(killer);
    }
    fs.rmSync(this.folder, { recursive: true, force: true });
  }
}
