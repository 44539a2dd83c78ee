import type { Node, NodeStatus } from "node-red";
import helper from "node-red-node-test-helper";
import type { BmsAdapterNode } from "../../src/nodes/adapter-node";
import { type AdapterConfig, adapterBindings } from "../../src/nodes/adapter-radio";
import type { SimulatedBindings } from "../../src/sim";
import { NODE_RED_RUNTIME } from "../support/node-red-install";

import bmsAdapter = require("../../src/nodes/bms-adapter");
import bmsBank = require("../../src/nodes/bms-bank");
import bmsMos = require("../../src/nodes/bms-mos");
import bmsPoll = require("../../src/nodes/bms-poll");

/**
 * Shared set-up for the node suites: the real Node-RED runtime through node-red-node-test-helper, our four node
 * types, and the simulator transport with instant latency. Only the radio is simulated.
 */
helper.init(NODE_RED_RUNTIME);

export { helper };
export const OUR_NODES = [bmsAdapter, bmsPoll, bmsMos, bmsBank];

/** RED._ is the identity in the helper, so badge texts arrive as their catalog keys. */
export const STATUS = "@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.status.";
export const WARN = "@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.warn.";
export const ERRORS = "@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.errors.";

export const BATTERY_1 = "AA:BB:CC:00:00:01";
export const BATTERY_2 = "AA:BB:CC:00:00:02";

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** A simulator adapter; each suite picks its own battery count so suites never share a simulated world. */
export function simAdapter(id: string, batteries: number, extra: Record<string, unknown> = {}): FlowNode {
  return {
    id,
    type: "bms-adapter",
    name: "sim",
    transport: "simulator",
    simBatteries: batteries,
    simCells: 4,
    simFaults: "none",
    simLatency: "instant",
    idleTimeout: 60,
    keepOpen: false,
    sweepInterval: 10,
    connectTimeout: 1,
    commandTimeout: 1,
    maxLinks: 5,
    ...extra,
  };
}

/** A bms-poll on adapter a1 reading battery 1 on input only, wired to helper `out`; `extra` overrides any field. */
export function pollNode(extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: "p1",
    type: "bms-poll",
    z: "f1",
    name: "",
    adapter: "a1",
    address: BATTERY_1,
    topic: "",
    interval: 0,
    onFailure: "error",
    staleLimit: 3,
    wires: [["out"]],
    ...extra,
  };
}

/** The simulated radio behind an adapter's settings (available once its pool exists). */
export function simulatorOf(
  batteries: number,
  cells = 4,
  options: { latency?: "instant" | "realistic"; password?: string } = {},
): SimulatedBindings {
  const config: AdapterConfig = {
    transport: "simulator",
    simulator: {
      batteries,
      cells,
      faults: "none",
      latency: options.latency ?? "instant",
      ...(options.password === undefined ? {} : { password: options.password }),
    },
  };
  const bindings = adapterBindings(config);
  if (!bindings) throw new Error("no simulator registered for these settings: has the pool been created?");
  return bindings as unknown as SimulatedBindings;
}

export const tab: FlowNode = { id: "f1", type: "tab", label: "test" };

/** Node-RED nodes as the helper hands them out, with the sinon spies it installs on Node.prototype. */
export type SpiedNode = Node & {
  receive(msg: Record<string, unknown>): void;
  status: Node["status"] & { args: unknown[][] };
  warn: Node["warn"] & { args: unknown[][] };
};

export function node(id: string): SpiedNode {
  const found = helper.getNode(id) as unknown as SpiedNode | null;
  if (!found) throw new Error(`node ${id} is not in the flow`);
  return found;
}

export function adapterNode(id: string): BmsAdapterNode {
  return helper.getNode(id) as unknown as BmsAdapterNode;
}

// Test messages are read loosely: the assertions check their shape.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Msg = Record<string, any>;

/**
 * How long a test waits for an expected message before failing with a clear error instead of hanging: a safety
 * net for a message that went elsewhere (e.g. to Catch), not a timing assertion.
 */
const MESSAGE_SAFETY_TIMEOUT_MS = 30_000;

/** Resolves with the next `count` messages a helper node receives. */
export function nextMessages(helperId: string, count: number): Promise<Msg[]> {
  const target = node(helperId);
  const received: Msg[] = [];
  return new Promise((resolve, reject) => {
    const safety = setTimeout(() => {
      target.removeListener("input", onInput);
      reject(new Error(`${helperId} received ${received.length} of ${count} expected messages`));
    }, MESSAGE_SAFETY_TIMEOUT_MS);
    const onInput = (msg: Msg) => {
      received.push(msg);
      if (received.length === count) {
        clearTimeout(safety);
        target.removeListener("input", onInput);
        resolve(received);
      }
    };
    target.on("input", onInput);
  });
}

export async function nextMessage(helperId: string): Promise<Msg> {
  return (await nextMessages(helperId, 1))[0]!;
}

/** Sends `msg` into `nodeId` and waits for the next message on `helperId` (an output or a Catch node's copy). */
export async function exchange(nodeId: string, msg: Record<string, unknown>, helperId: string): Promise<Msg> {
  const next = nextMessage(helperId);
  node(nodeId).receive(msg);
  return next;
}

/**
 * The first argument of every call a node made to one of the spied Node methods. The helper spies on
 * Node.prototype, so one spy records the calls of every node in the flow: keep the calls this node made.
 */
function callsOf(nodeId: string, method: "status" | "warn"): unknown[] {
  const target = node(nodeId);
  const spy = target[method] as unknown as { args: unknown[][]; thisValues: unknown[] };
  return spy.args.filter((_, index) => spy.thisValues[index] === target).map((args) => args[0]);
}

/** Every status badge a node has shown so far, in order. */
export function statusesOf(nodeId: string): NodeStatus[] {
  return callsOf(nodeId, "status") as NodeStatus[];
}

/** The texts of every status a node has shown so far. */
export function statusTexts(nodeId: string): string[] {
  return statusesOf(nodeId).map((status) => String(status.text ?? ""));
}

/** Every warning a node has logged so far (the catalog key, as RED._ is the identity in the helper). */
export function warningsOf(nodeId: string): unknown[] {
  return callsOf(nodeId, "warn");
}

/**
 * Waits until `predicate` holds, checking after each turn of the event loop: for what the simulator's `instant`
 * latency brings about within a few turns, with no timer of its own. What takes simulated time (an idle timeout, a
 * reply timeout) waits on the virtual clock instead (test/support/virtual-clock.ts, `until`).
 */
export async function until(predicate: () => boolean, what: string, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`no ${what} after ${turns} turns of the event loop`);
}
