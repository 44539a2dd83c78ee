import type { NodeAPI } from "node-red";

/**
 * True when any of Node-RED's log handlers (settings.js `logging`) reports trace messages. Node-RED's logger has no
 * level query, and the pool's trace output (every frame in hex) is worth building only when someone reads it.
 */
export function traceLoggingEnabled(RED: NodeAPI): boolean {
  const logging = (RED.settings as unknown as { logging?: Record<string, { level?: unknown } | undefined> }).logging;
  return Object.values(logging ?? {}).some((handler) => handler?.level === "trace");
}
