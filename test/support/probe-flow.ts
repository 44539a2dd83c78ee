import type { FlowNode } from "./example-flows";

/** Ids of the probe tab's nodes. */
export const PROBE = {
  tab: "e2e0probe0tab000",
  adapter: "e2e0probe0adapt0",
  poll: "e2e0probe0poll00",
  debug: "e2e0probe0debug0",
  address: "AA:BB:CC:00:00:01",
} as const;

/**
 * A tab of our own beside the examples: an adapter with its own simulated radio (its settings differ from the
 * examples' adapter, so it gets its own virtual batteries), a bms-poll every second, and a Debug node that sends
 * the complete msg, so a test can read msg.bms.connection from the editor's debug stream. Its batteries run inside
 * the adapter host child process (`simInHost`), the path a real adapter takes, so the suite sees that process
 * start, survive or be replaced on redeploys, and end with Node-RED.
 */
export function probeFlow(options: {
  topic: string;
  adapterName: string;
  batteries?: number;
  /** Adapter fields on top of these (and `credentials`, as the editor sends them with the node). */
  adapter?: Record<string, unknown>;
}): FlowNode[] {
  return [
    { id: PROBE.tab, type: "tab", label: "e2e probe", disabled: false, info: "" },
    {
      id: PROBE.adapter,
      type: "bms-adapter",
      name: options.adapterName,
      transport: "simulator",
      hciDevice: 0,
      idleTimeout: 60,
      keepOpen: false,
      sweepInterval: 10,
      connectTimeout: 15,
      commandTimeout: 3,
      maxLinks: 5,
      simBatteries: options.batteries ?? 1,
      simCells: 4,
      simFaults: "none",
      simLatency: "instant",
      simInHost: true,
      ...options.adapter,
    },
    {
      id: PROBE.poll,
      type: "bms-poll",
      z: PROBE.tab,
      name: "probe",
      adapter: PROBE.adapter,
      address: PROBE.address,
      topic: options.topic,
      interval: 1,
      onFailure: "error",
      staleLimit: 3,
      x: 160,
      y: 80,
      wires: [[PROBE.debug]],
    },
    {
      id: PROBE.debug,
      type: "debug",
      z: PROBE.tab,
      name: "probe msg",
      active: true,
      tosidebar: true,
      console: false,
      tostatus: false,
      complete: "true",
      targetType: "full",
      x: 380,
      y: 80,
      wires: [],
    },
  ];
}
