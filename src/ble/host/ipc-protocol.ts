/**
 * Messages between HostBindings (in the Node-RED process) and the adapter host child process. The IPC channel
 * carries JSON, which would turn a Buffer into `{type, data}` and an Error into `{}`, so every argument passes
 * through encodeValue/decodeValue, which keep both intact.
 */

/** Parent -> child: call a bindings method with these (encoded) arguments. */
export interface CallMessage {
  kind: "call";
  method: string;
  args: unknown[];
}

/** Child -> parent: the bindings emitted this event. */
export interface EventMessage {
  kind: "event";
  name: string;
  args: unknown[];
}

/**
 * Child -> parent: the radio cannot be used at all; `message` says how to fix it. The child exits right after, so
 * the parent's restart backoff decides when to look again (a fix such as setcap takes effect in a fresh process).
 */
export interface UnavailableMessage {
  kind: "unavailable";
  state: "unsupported" | "unauthorized";
  message: string;
}

export type ParentToChild = CallMessage;
export type ChildToParent = EventMessage | UnavailableMessage;

/**
 * What an adapter host child runs: a real adapter (`hci`), or the simulator (tests, and trying the real-hardware
 * path without hardware). The simulator's settings pass through as they are: this layer does not know the
 * simulator, the child's entry point hands them to it.
 */
export type HostTarget = { transport: "hci"; hciDevice: number } | { transport: "simulator"; simulator: object };

/** Exit code of a child that reported "unavailable" (as opposed to a crash). */
export const EXIT_UNAVAILABLE = 3;

/** The child gets its adapter as the first command-line argument, JSON-encoded. */
export function encodeHostArgument(config: HostTarget): string {
  return JSON.stringify(config);
}

export function decodeHostArgument(argument: string | undefined): HostTarget {
  if (argument === undefined) throw new Error("adapter host: missing adapter configuration argument");
  const parsed = JSON.parse(argument) as HostTarget;
  if (parsed.transport !== "hci" && parsed.transport !== "simulator") {
    throw new Error(`adapter host: unknown transport ${JSON.stringify((parsed as { transport?: unknown }).transport)}`);
  }
  return parsed;
}

interface EncodedBuffer {
  $buffer: string;
}
interface EncodedError {
  $error: string;
}
/** JSON turns `undefined` in an array into null, and noble's HCI code defaults only undefined parameters. */
interface EncodedUndefined {
  $undefined: true;
}

/**
 * Turns Buffers/typed arrays into `{$buffer: hex}`, Errors into `{$error: message}` and undefined into
 * `{$undefined: true}`, recursively.
 */
export function encodeValue(value: unknown): unknown {
  if (value === undefined) return { $undefined: true } satisfies EncodedUndefined;
  if (value instanceof Uint8Array) return { $buffer: Buffer.from(value).toString("hex") } satisfies EncodedBuffer;
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { $buffer: bytes.toString("hex") } satisfies EncodedBuffer;
  }
  if (value instanceof Error) return { $error: value.message } satisfies EncodedError;
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = encodeValue(inner);
    return out;
  }
  return value;
}

/** The inverse of encodeValue: Buffers come back as Node Buffers (what noble hands to its users). */
export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && typeof record.$buffer === "string") return Buffer.from(record.$buffer, "hex");
    if (keys.length === 1 && typeof record.$error === "string") return new Error(record.$error);
    if (keys.length === 1 && record.$undefined === true) return undefined;
    const out: Record<string, unknown> = {};
    // Defined, not assigned: `out["__proto__"] = …` would set the decoded object's prototype from the wire.
    for (const [key, inner] of Object.entries(record)) {
      Object.defineProperty(out, key, {
        value: decodeValue(inner),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

export function isChildToParent(message: unknown): message is ChildToParent {
  if (message === null || typeof message !== "object") return false;
  const m = message as { kind?: unknown; name?: unknown; args?: unknown; message?: unknown };
  if (m.kind === "event") return typeof m.name === "string" && Array.isArray(m.args);
  if (m.kind === "unavailable") return typeof m.message === "string";
  return false;
}

export function isParentToChild(message: unknown): message is ParentToChild {
  if (message === null || typeof message !== "object") return false;
  const m = message as Partial<CallMessage>;
  return m.kind === "call" && typeof m.method === "string" && Array.isArray(m.args);
}
