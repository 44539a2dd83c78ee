import WebSocket from "ws";
import { ReceivedMessages } from "./received-messages";

/** One message Node-RED pushes to the editor over /comms. */
export interface CommsMessage {
  topic: string;
  data: unknown;
}

/** Status event data (`status/<node id>` topic). */
export interface StatusData {
  text?: string;
  fill?: string;
  shape?: string;
}

/** Debug event data (`debug` topic); `msg` is the message serialised as the Debug sidebar receives it. */
export interface DebugData {
  id: string;
  msg: string;
  format: string;
  topic?: string;
  property?: string;
}

/**
 * The editor's websocket, as the Debug sidebar and the canvas badges see it. Without adminAuth no auth message is
 * needed: subscribing is enough. Every message received is kept, so a test can look back as well as wait.
 */
export class CommsClient {
  private readonly messages = new ReceivedMessages<CommsMessage>("comms");

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (raw) => {
      const parsed: unknown = JSON.parse(raw.toString());
      // Node-RED batches messages into an array.
      for (const message of (Array.isArray(parsed) ? parsed : [parsed]) as CommsMessage[]) this.messages.push(message);
    });
  }

  static async connect(baseUrl: string, topics: string[]): Promise<CommsClient> {
    const url = new URL("comms", baseUrl);
    url.protocol = "ws:";
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const client = new CommsClient(socket);
    for (const topic of topics) socket.send(JSON.stringify({ subscribe: topic }));
    return client;
  }

  /** The first message, already received or still to come, that satisfies `predicate`. */
  waitFor(predicate: (message: CommsMessage) => boolean, what: string, timeoutMs = 30_000): Promise<CommsMessage> {
    return this.messages.waitFor(predicate, what, timeoutMs);
  }

  /** The first message from now on that satisfies `predicate`. */
  next(predicate: (message: CommsMessage) => boolean, what: string, timeoutMs = 30_000): Promise<CommsMessage> {
    return this.messages.next(predicate, what, timeoutMs);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}

/** Matches debug messages from the Debug node `debugNodeId`. */
export function fromDebugNode(debugNodeId: string): (message: CommsMessage) => boolean {
  return (message) => message.topic === "debug" && (message.data as DebugData).id === debugNodeId;
}

/** Parses the message a Debug node set to "complete msg object" sent. */
export function debugMessage(message: CommsMessage): Record<string, unknown> {
  return JSON.parse((message.data as DebugData).msg) as Record<string, unknown>;
}
