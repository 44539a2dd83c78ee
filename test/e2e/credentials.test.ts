// End to end: the module password as a Node-RED credential of the bms-adapter, in a real Node-RED process. It is
// deployed the way the editor deploys it, polls a password-protected simulated battery, and never comes back out:
// not in the flows the admin API serves (what the editor loads and exports), not in the flows file, not in the log,
// only encrypted in the credentials file, from which a restarted Node-RED reads it again.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { AdminApi } from "../support/admin-api";
import { CommsClient, debugMessage, fromDebugNode } from "../support/comms-client";
import type { FlowNode } from "../support/example-flows";
import { freeLoopbackPort } from "../support/free-port";
import { NodeRedProcess } from "../support/node-red-process";
import { PROBE, probeFlow } from "../support/probe-flow";
import { REPO_ROOT } from "../support/repository";
import { createUserDir, makeTempDir, removeDir } from "../support/user-dir";

const PASSWORD = "Zq7#x!";
// biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's syntax for an environment variable, not a template
const SIM_PASSWORD_FROM_ENV = "${BMS_SIM_PASSWORD}";

/**
 * The probe tab (a poll every second of battery 1 into a Debug node) on an adapter whose simulated module wants
 * PASSWORD, with `credential` as its module password (none: left out). The simulator's password comes from the
 * environment (`${NAME}`, which Node-RED fills in at runtime), so the flows hold no copy of it either; the simulator
 * runs in the Node-RED process.
 */
function passwordFlow(credential: string | undefined): FlowNode[] {
  return probeFlow({
    topic: "protected",
    adapterName: "protected",
    adapter: {
      simPassword: SIM_PASSWORD_FROM_ENV,
      simInHost: false,
      commandTimeout: 0.5,
      // The editor sends a credential with the node; Node-RED takes it out of the flow before storing it.
      ...(credential === undefined ? {} : { credentials: { password: credential } }),
    },
  });
}

describe("the module password as a bms-adapter credential, in a real Node-RED process", () => {
  let work: string;
  let userDir: string;
  let red: NodeRedProcess;
  let api: AdminApi;
  let comms: CommsClient;

  const start = async () => {
    red = await NodeRedProcess.start({
      userDir,
      port: await freeLoopbackPort(),
      flowFile: "flows.json",
      env: { BMS_SIM_PASSWORD: PASSWORD },
    });
    api = new AdminApi(red.url);
    comms = await CommsClient.connect(red.url, ["debug"]);
  };

  /** The next payload the poll delivers to the Debug sidebar. */
  const nextPayload = async () => {
    const message = await comms.next(fromDebugNode(PROBE.debug), "a polled payload from the protected battery");
    return debugMessage(message).payload as { cellCount?: number };
  };

  before(async () => {
    work = makeTempDir("bms-cred-");
    userDir = path.join(work, "user");
    await createUserDir(userDir, REPO_ROOT);
    fs.writeFileSync(path.join(userDir, "flows.json"), "[]");
    await start();
  });

  after(async () => {
    await comms?.close();
    await red?.stop("SIGKILL");
    if (work !== undefined) removeDir(work);
  });

  it("polls the password-protected battery with the password deployed as the adapter's credential", async () => {
    await api.deploy(passwordFlow(PASSWORD), "full");
    assert.equal((await nextPayload()).cellCount, 4);
  });

  it("keeps the password out of the flows the admin API serves, which the editor loads and exports", async () => {
    const flows = await api.getJson<FlowNode[]>("flows");
    assert.ok(!JSON.stringify(flows).includes(PASSWORD));
    const adapter = flows.find((node) => node.id === PROBE.adapter);
    assert.ok(adapter, "the adapter is deployed");
    assert.equal(adapter.credentials, undefined);
    assert.equal(adapter.simPassword, SIM_PASSWORD_FROM_ENV);
    // What the editor's dialog gets: that a password is set, never the password.
    assert.deepEqual(await api.getJson(`credentials/bms-adapter/${PROBE.adapter}`), { has_password: true });
  });

  it("stores the password only encrypted, in the credentials file, and logs it nowhere", () => {
    const flowsFile = fs.readFileSync(path.join(userDir, "flows.json"), "utf8");
    assert.ok(flowsFile.includes(PROBE.adapter) && !flowsFile.includes(PASSWORD));
    const credentialsFile = fs.readFileSync(path.join(userDir, "flows_cred.json"), "utf8");
    const stored = JSON.parse(credentialsFile) as Record<string, unknown>;
    assert.deepEqual(Object.keys(stored), ["$"], "Node-RED's encrypted form: one opaque value");
    assert.ok(!credentialsFile.includes(PASSWORD));
    assert.ok(!red.log.some((line) => line.includes(PASSWORD)), red.log.join("\n"));
  });

  it("reads the stored password again after a restart and polls as before", async () => {
    await comms.close();
    assert.equal((await red.stop("SIGTERM")).code, 0);
    await start();
    assert.equal((await nextPayload()).cellCount, 4);
  });

  it("without the credential the same battery fails with PASSWORD_REQUIRED, and with a wrong one PASSWORD_REJECTED", async () => {
    const errors = await CommsClient.connect(red.url, ["debug"]);
    try {
      for (const [credential, code] of [
        ["", "PASSWORD_REQUIRED"],
        ["Wr0ng!", "PASSWORD_REJECTED"],
      ] as const) {
        const flows = passwordFlow(credential);
        // A Catch node shows each failure on the Debug sidebar with its code. An empty credential removes the stored one.
        flows.push({
          id: "e2e0probe0catch0",
          type: "catch",
          z: PROBE.tab,
          scope: null,
          uncaught: false,
          wires: [[PROBE.debug]],
        });
        await api.deploy(flows, "full");
        const failed = await errors.next(
          (m) =>
            fromDebugNode(PROBE.debug)(m) && (debugMessage(m).error as { code?: string } | undefined)?.code === code,
          code,
        );
        assert.ok(!JSON.stringify(failed).includes("Wr0ng!"));
      }
    } finally {
      await errors.close();
    }
  });
});
