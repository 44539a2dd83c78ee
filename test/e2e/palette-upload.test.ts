// The palette manager's upload (Manage palette ▸ Install ▸ upload, shown with editorTheme.palette.upload): the
// `npm pack` tarball posted to the admin API exactly as the editor posts it (multipart form, field "tarball",
// POST /nodes) into a running Node-RED whose user directory has never seen the package. Node-RED installs it with
// npm, registers the node types without a restart, and a deployed flow polls the simulator.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { AdminApi } from "../support/admin-api";
import { CommsClient, debugMessage, fromDebugNode } from "../support/comms-client";
import { freeLoopbackPort } from "../support/free-port";
import { NodeRedProcess } from "../support/node-red-process";
import { PROBE, probeFlow } from "../support/probe-flow";
import { makeTempDir, PACKAGE_NAME, packPackage, removeDir } from "../support/user-dir";

interface NodeSet {
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

describe("Install through the palette manager's upload (npm pack tarball)", () => {
  let work: string;
  let tarball: string;
  let red: NodeRedProcess;
  let api: AdminApi;

  before(async () => {
    work = makeTempDir("bms-palette-");
    tarball = await packPackage(work);
    const userDir = path.join(work, "user");
    fs.mkdirSync(userDir);
    red = await NodeRedProcess.start({
      userDir,
      port: await freeLoopbackPort(),
      settings: { "editorTheme.palette.upload": true },
    });
    api = new AdminApi(red.url);
  });

  after(async () => {
    await red?.stop("SIGTERM");
    if (work !== undefined) removeDir(work);
  });

  it("starts without the package", async () => {
    const sets = await api.getJson<NodeSet[]>("nodes");
    assert.deepEqual(
      sets.filter((set) => set.module === PACKAGE_NAME),
      [],
    );
  });

  it("installs the uploaded tarball and registers the three node types without a restart", async () => {
    const form = new FormData();
    form.append("tarball", new Blob([fs.readFileSync(tarball)]), path.basename(tarball));
    const installed = await api.postForm<{ name: string; nodes: NodeSet[] }>("nodes", form);
    assert.equal(installed.name, PACKAGE_NAME);
    const sets = (await api.getJson<NodeSet[]>("nodes")).filter((set) => set.module === PACKAGE_NAME);
    assert.deepEqual(sets.flatMap((set) => set.types).sort(), ["bms-adapter", "bms-mos", "bms-poll"]);
    for (const set of sets) assert.equal(set.err, undefined, `${set.types.join(",")}: ${set.err}`);
  });

  it("runs a deployed flow of the installed nodes: a poll of the simulator reaches the Debug sidebar", async () => {
    const comms = await CommsClient.connect(red.url, ["debug"]);
    try {
      await api.deploy(probeFlow({ topic: "palette", adapterName: "palette probe" }), "full");
      const message = await comms.waitFor(fromDebugNode(PROBE.debug), "a probe poll");
      const msg = debugMessage(message);
      assert.equal((msg.bms as { address: string }).address, PROBE.address);
      assert.equal(typeof (msg.payload as { voltage: unknown }).voltage, "number");
    } finally {
      await comms.close();
    }
  });
});
