// Installing from git, as the README's Install section says: `npm install <git URL>` in a fresh Node-RED user
// directory. npm clones the repository (here a git snapshot of this working tree, without dist/, as the hosted
// repository has it), installs its devDependencies, runs `prepare`, which builds, and installs what the `files`
// list packs; a real Node-RED then loads the nodes and polls the simulator. The same `prepare` must leave a built
// checkout alone: npm 11 runs it for `npm pack` too, beside running suites.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { AdminApi } from "../support/admin-api";
import { freeLoopbackPort } from "../support/free-port";
import { snapshotRepository } from "../support/git-snapshot";
import { assertNodeTypesLoaded, assertProbePolls } from "../support/installed-package";
import { NodeRedProcess } from "../support/node-red-process";
import { MANIFEST, PACKAGE_NAME, REPO_ROOT } from "../support/repository";
import { createUserDir, makeTempDir, packPackage, removeDir } from "../support/user-dir";

const run = promisify(execFile);

describe("Install from a git URL (prepare builds)", () => {
  let work: string;
  let installed: string;
  let red: NodeRedProcess;
  let api: AdminApi;

  before(async () => {
    work = makeTempDir("bms-git-");
    const repository = path.join(work, "repository");
    const userDir = path.join(work, "user");
    await createUserDir(userDir, await snapshotRepository(repository));
    installed = path.join(userDir, "node_modules", PACKAGE_NAME);
    red = await NodeRedProcess.start({ userDir, port: await freeLoopbackPort() });
    api = new AdminApi(red.url);
  });

  after(async () => {
    await red?.stop("SIGTERM");
    if (work !== undefined) removeDir(work);
  });

  it("installs the built package: the protocol entry and every node file with its compiled module", () => {
    const files = [MANIFEST.main, ...Object.values(MANIFEST["node-red"].nodes)];
    for (const file of files) assert.ok(fs.existsSync(path.join(installed, file)), file);
    for (const type of Object.keys(MANIFEST["node-red"].nodes)) {
      assert.ok(fs.existsSync(path.join(installed, "dist", "src", "nodes", `${type}.js`)), type);
    }
    assert.ok(fs.readdirSync(path.join(installed, "nodes", "icons")).length > 0, "nodes/icons/");
  });

  it("loads in Node-RED without error", () => assertNodeTypesLoaded(api));

  it("polls the simulator once a flow is deployed", () => assertProbePolls(api, red.url, "git"));

  it("leaves a built checkout's dist/ alone when npm packs it (npm 11 runs prepare there too)", async () => {
    const marker = path.join(REPO_ROOT, MANIFEST.main);
    const before = fs.statSync(marker);
    const tarball = await packPackage(work);
    // A rebuild deletes dist/ and writes it anew: a new inode, a new modification time.
    const after = fs.statSync(marker);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
    const { stdout } = await run("tar", ["-tzf", tarball]);
    assert.ok(stdout.includes(`package/${MANIFEST.main}`), "the tarball carries the build output");
  });
});
