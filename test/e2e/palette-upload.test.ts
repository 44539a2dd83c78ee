// The palette manager's upload (Manage palette ▸ Install ▸ upload; the admin API takes a tarball unless
// editorTheme.palette.upload or externalModules.palette.allowUpload is false, and the suite sets the former to
// true, as a user enabling it would): the `npm pack` tarball posted to the admin API exactly as the editor posts it (multipart form, field "tarball",
// POST /nodes) into a running Node-RED whose user directory has never seen the package. Node-RED installs it with
// npm, registers the node types without a restart, and a deployed flow polls the simulator.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { AdminApi } from "../support/admin-api";
import { freeLoopbackPort } from "../support/free-port";
import { assertNodeTypesLoaded, assertProbePolls } from "../support/installed-package";
import { NodeRedProcess } from "../support/node-red-process";
import { PACKAGE_NAME } from "../support/repository";
import { makeTempDir, packPackage, removeDir } from "../support/user-dir";

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
    assert.deepEqual(await api.nodeSetsOf(PACKAGE_NAME), []);
  });

  it("installs the uploaded tarball and registers the node types without a restart", async () => {
    const form = new FormData();
    form.append("tarball", new Blob([fs.readFileSync(tarball)]), path.basename(tarball));
    const installed = await api.postForm<{ name: string }>("nodes", form);
    assert.equal(installed.name, PACKAGE_NAME);
    await assertNodeTypesLoaded(api);
  });

  it("runs a deployed flow of the installed nodes: a poll of the simulator reaches the Debug sidebar", () =>
    assertProbePolls(api, red.url, "palette"));
});
