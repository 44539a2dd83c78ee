import { type ChildProcess, spawn } from "node:child_process";
import { NPM_TEST_ENV } from "./install-commands";
import { RED_JS } from "./node-red-install";

export interface NodeRedStartOptions {
  userDir: string;
  port: number;
  /** Flows file name, resolved by Node-RED relative to the user directory. */
  flowFile?: string;
  /** How long to wait for "Started flows" before giving up (a cold start takes a few seconds). */
  startTimeoutMs?: number;
  /** Settings on top of the defaults, each passed as `-D key=value` (value JSON), e.g. editorTheme.palette.upload. */
  settings?: Record<string, unknown>;
  /** Environment variables on top of this process's own (flows can read them as `${NAME}`). */
  env?: Record<string, string>;
}

/**
 * A real Node-RED process (the version test/support/node-red-install.ts chose) on a loopback port, started the way a user starts it. It keeps its log so a failing
 * test can show what the runtime said.
 */
export class NodeRedProcess {
  readonly log: string[] = [];
  readonly url: string;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}/`;
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const collect = (chunk: Buffer) => this.log.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: NodeRedStartOptions): Promise<NodeRedProcess> {
    const args = [
      RED_JS,
      "-u",
      options.userDir,
      "-p",
      String(options.port),
      "-D",
      "uiHost=127.0.0.1",
      "-D",
      "editorTheme.tours=false",
      "--no-telemetry",
    ];
    for (const [key, value] of Object.entries(options.settings ?? {}))
      args.push("-D", `${key}=${JSON.stringify(value)}`);
    if (options.flowFile !== undefined) args.push(options.flowFile);
    // A palette install runs npm in the user directory, with the npm settings of the suites' own installs.
    const env = { ...process.env, ...NPM_TEST_ENV, ...options.env };
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    const red = new NodeRedProcess(child, options.port);
    try {
      await red.waitForLog(/Started flows|Waiting for missing types/, options.startTimeoutMs ?? 60_000);
    } catch (err) {
      await red.stop("SIGKILL");
      throw err;
    }
    return red;
  }

  /** Resolves with the first log line matching `pattern` (already logged or still to come). */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<string> {
    const seen = this.log.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onData = () => {
        const line = this.log.find((l) => pattern.test(l));
        if (line === undefined) return;
        cleanup();
        resolve(line);
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`Node-RED exited before logging ${pattern}:\n${this.log.join("\n")}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Node-RED did not log ${pattern} within ${timeoutMs} ms:\n${this.log.join("\n")}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.child.stdout?.off("data", onData);
        this.child.stderr?.off("data", onData);
        this.child.off("exit", onExit);
      };
      // Registered after collect(), so the log already holds the chunk when onData reads it.
      this.child.stdout?.on("data", onData);
      this.child.stderr?.on("data", onData);
      this.child.once("exit", onExit);
    });
  }

  /** Sends `signal` and waits for the process to exit; a process that already exited just reports how. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}
