import { fork } from "node:child_process";
import * as path from "node:path";
import { emulatedHciEnv } from "./socket-injection";

export type PhoneAppMessage = { kind: "holding" } | { kind: "let-go" } | { kind: "failed"; message: string };

export interface PhoneApp {
  /** Disconnects from the battery (it advertises again) and ends the app. */
  letGo(): Promise<void>;
  /** Ends the app wherever it is, without a disconnect (clean-up after a failed test). */
  kill(): Promise<void>;
}

/**
 * Starts the phone app on its own controller behind `server` and resolves once it holds the battery. Each step ends
 * with the app's own report or its exit, never on a timer: how long a process takes to start depends on the CPU share
 * the test run gets.
 */
export async function phoneAppHolding(server: string, address: string): Promise<PhoneApp> {
  const child = fork(path.join(__dirname, "phone-app.js"), [address], {
    env: emulatedHciEnv(server),
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const next = (kind: PhoneAppMessage["kind"]) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (message: PhoneAppMessage) => {
        if (message.kind !== kind && message.kind !== "failed") return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        if (message.kind === "failed") reject(new Error(`phone app: ${message.message}`));
        else resolve();
      };
      const onExit = () => {
        child.off("message", onMessage);
        reject(new Error(`phone app: ended before "${kind}"`));
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const kill = async () => {
    if (running()) child.kill("SIGKILL");
    await exited;
  };
  try {
    await next("holding");
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    letGo: async () => {
      const done = next("let-go");
      child.send({ kind: "let-go" });
      await done;
      child.kill("SIGTERM");
      await exited;
    },
    kill,
  };
}
