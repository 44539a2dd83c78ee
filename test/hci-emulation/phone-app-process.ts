import { fork } from "node:child_process";
import * as path from "node:path";
import { emulatedHciEnv } from "./socket-injection";

export type PhoneAppMessage = { kind: "holding" } | { kind: "let-go" } | { kind: "failed"; message: string };

export interface PhoneApp {
  /** Disconnects from the battery (it advertises again) and ends the app. */
  letGo(): Promise<void>;
}

/** Starts the phone app on its own controller behind `server` and resolves once it holds the battery. */
export async function phoneAppHolding(server: string, address: string): Promise<PhoneApp> {
  const child = fork(path.join(__dirname, "phone-app.js"), [address], {
    env: emulatedHciEnv(server),
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const next = (kind: PhoneAppMessage["kind"]) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`phone app: no "${kind}" within 10 s`)), 10_000);
      child.on("message", (message: PhoneAppMessage) => {
        if (message.kind === "failed") reject(new Error(`phone app: ${message.message}`));
        if (message.kind !== kind) return;
        clearTimeout(timer);
        resolve();
      });
    });
  try {
    await next("holding");
  } catch (error) {
    child.kill("SIGKILL");
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
  };
}
