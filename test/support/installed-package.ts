import assert from "node:assert/strict";
import type { AdminApi } from "./admin-api";
import { CommsClient, debugMessage, fromDebugNode } from "./comms-client";
import { PROBE, probeFlow } from "./probe-flow";
import { MANIFEST, PACKAGE_NAME } from "./repository";

/** Checks a running Node-RED sees the package as installed, however it was installed. */

/** The node types the package registers, as its manifest lists them for Node-RED. */
export const NODE_TYPES = Object.keys(MANIFEST["node-red"].nodes).sort();

/** Node-RED has loaded every node type of the package, enabled and without a load error. */
export async function assertNodeTypesLoaded(api: AdminApi): Promise<void> {
  const sets = await api.nodeSetsOf(PACKAGE_NAME);
  assert.deepEqual(sets.flatMap((set) => set.types).sort(), NODE_TYPES);
  for (const set of sets) {
    assert.equal(set.err, undefined, `${set.types.join(",")}: ${set.err}`);
    assert.equal(set.enabled, true);
  }
}

/** Deploys the probe flow (a bms-poll every second on a simulated battery) and waits for its first payload. */
export async function assertProbePolls(api: AdminApi, baseUrl: string, topic: string): Promise<void> {
  const comms = await CommsClient.connect(baseUrl, ["debug"]);
  try {
    await api.deploy(probeFlow({ topic, adapterName: `${topic} probe` }), "full");
    const msg = debugMessage(await comms.waitFor(fromDebugNode(PROBE.debug), `a ${topic} probe poll`));
    assert.equal((msg.bms as { address: string }).address, PROBE.address);
    assert.equal(typeof (msg.payload as { voltage: unknown }).voltage, "number");
  } finally {
    await comms.close();
  }
}
