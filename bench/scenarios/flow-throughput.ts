import path from "node:path";
import helper from "node-red-node-test-helper";
import type { ThroughputFigures } from "./throughput";
import { measureThroughput } from "./throughput";

const ROOT = path.join(__dirname, "..", "..", "..");

/** What Node-RED loads for our three node types (written by scripts/build.js). */
function loadNodeModules(): unknown[] {
  return ["bms-adapter", "bms-poll"].map((type) => {
    const loaded = require(path.join(ROOT, "nodes", `${type}.js`)) as { default?: unknown };
    return loaded.default ?? loaded;
  });
}

interface FlowNode {
  receive(msg: object): void;
  on(event: "input", listener: (msg: { payload?: unknown }) => void): void;
}

/**
 * Polls per second through a real Node-RED runtime (node-red-node-test-helper): inject -> bms-poll -> helper
 * node, on a simulator adapter with `instant` latency, one message at a time. Returns null when the nodes cannot
 * run a poll (not built yet): a missing figure, never an invented one.
 */
export async function measureFlowThroughput(budgetMs: number): Promise<ThroughputFigures | null> {
  helper.init(require.resolve("node-red"));
  await helper.startServer();
  try {
    const flow = [
      { id: "tab", type: "tab", label: "bench" },
      {
        id: "adapter",
        type: "bms-adapter",
        name: "bench",
        transport: "simulator",
        hciDevice: 0,
        idleTimeout: 60,
        keepOpen: false,
        sweepInterval: 10,
        connectTimeout: 15,
        commandTimeout: 3,
        maxLinks: 5,
        simBatteries: 1,
        simCells: 16,
        simFaults: "none",
        simLatency: "instant",
      },
      {
        id: "poll",
        z: "tab",
        type: "bms-poll",
        name: "bench",
        adapter: "adapter",
        address: "AA:BB:CC:00:00:01",
        topic: "",
        interval: 0,
        onFailure: "error",
        wires: [["out"]],
      },
      { id: "out", z: "tab", type: "helper" },
    ];
    try {
      await helper.load(loadNodeModules() as never, flow);
    } catch {
      return null;
    }
    const poll = helper.getNode("poll") as unknown as FlowNode | null;
    const out = helper.getNode("out") as unknown as FlowNode | null;
    if (poll === null || out === null) return null;

    let waiting: ((payload: unknown) => void) | undefined;
    out.on("input", (msg) => {
      const resolve = waiting;
      waiting = undefined;
      resolve?.(msg.payload);
    });
    const pollOnce = () =>
      new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("bms-poll sent nothing within 5 s")), 5000);
        waiting = (payload) => {
          clearTimeout(timer);
          resolve(payload);
        };
        poll.receive({});
      });
    try {
      await pollOnce();
    } catch {
      return null;
    }
    return await measureThroughput(pollOnce, budgetMs);
  } finally {
    await helper.unload();
    await helper.stopServer();
  }
}
