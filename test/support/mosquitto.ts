import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { freeLoopbackPort } from "./free-port";
import { makeTempDir, removeDir } from "./user-dir";

/** Debian puts the broker in /usr/sbin, which is not on every PATH. */
const SEARCH_DIRS = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];
const INSTALL_HINT = "apt-get install mosquitto";
/** A port taken between finding it free and the broker binding it (other test runs share the machine) is retried. */
const START_ATTEMPTS = 3;
const START_TIMEOUT_MS = 15_000;

/** The mosquitto executable, or null when it is not installed. */
export function findMosquitto(): string | null {
  for (const dir of SEARCH_DIRS) {
    const candidate = path.join(dir, "mosquitto");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * For a test's `skip` option: the reason to skip when mosquitto is missing, or false to run. With
 * REQUIRE_MQTT_BROKER=1 (CI) a missing broker is not skipped: the test runs and MosquittoBroker.start fails.
 */
export function mosquittoSkipReason(): string | false {
  if (findMosquitto() !== null || process.env.REQUIRE_MQTT_BROKER === "1") return false;
  const reason = `mosquitto not found (${INSTALL_HINT}; REQUIRE_MQTT_BROKER=1 makes this a failure)`;
  console.log(`# MQTT broker test skipped: ${reason}`);
  return reason;
}

/**
 * Debian's mosquitto on a free loopback port with a private config in its own temporary directory: anonymous
 * access, no persistence, log to stderr (unbuffered, so the test can wait for "running"). Stopped by its PID.
 */
export class MosquittoBroker {
  readonly log: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    /** The broker's private directory (its config), removed by stop(). */
    readonly directory: string,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.stderr?.on("data", (chunk: Buffer) => this.log.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  }

  /** `mqtt://127.0.0.1:<port>` for clients. */
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(): Promise<MosquittoBroker> {
    const executable = findMosquitto();
    if (executable === null) throw new Error(`mosquitto not found (${INSTALL_HINT})`);
    let lastError: unknown;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      const dir = makeTempDir("bms-mosquitto-");
      const port = await freeLoopbackPort();
      const config = path.join(dir, "mosquitto.conf");
      fs.writeFileSync(
        config,
        [
          `listener ${port} 127.0.0.1`,
          "allow_anonymous true",
          "persistence false",
          "log_dest stderr",
          "log_type error",
          "log_type warning",
          "log_type notice",
          "log_type information",
          "",
        ].join("\n"),
      );
      const child = spawn(executable, ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
      const broker = new MosquittoBroker(child, port, dir);
      try {
        await broker.running();
        return broker;
      } catch (err) {
        lastError = err;
        await broker.stop();
      }
    }
    throw lastError;
  }

  /** Stops the broker (SIGTERM to its PID), waits for it to exit and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
    removeDir(this.directory);
  }

  private running(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.log.some((line) => / running$/.test(line))) finish();
      };
      const onExit = () => finish(new Error(`mosquitto exited while starting:\n${this.log.join("\n")}`));
      const timer = setTimeout(
        () => finish(new Error(`mosquitto did not start within ${START_TIMEOUT_MS} ms:\n${this.log.join("\n")}`)),
        START_TIMEOUT_MS,
      );
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.child.stderr?.off("data", check);
        this.child.off("exit", onExit);
        if (err) reject(err);
        else resolve();
      };
      // Registered after the constructor's collector, so the log already holds the chunk when check reads it.
      this.child.stderr?.on("data", check);
      this.child.once("exit", onExit);
      check();
    });
  }
}
