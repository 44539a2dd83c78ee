// Scenario 8: a real Node-RED process runs example 1 with an `hci` adapter; its adapter host child reaches the
// emulated controller, a bleno battery answers. Observed from outside, through the editor's websocket.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, it } from "node:test";
import { CommsClient, debugMessage, type StatusData } from "../support/comms-client";
import { exampleFlows, type FlowNode } from "../support/example-flows";
import { freeLoopbackPort } from "../support/free-port";
import { NodeRedProcess } from "../support/node-red-process";
import { descendantsOf, isAlive } from "../support/process-tree";
import { REPO_ROOT } from "../support/repository";
import { createUserDir, makeTempDir, removeDir } from "../support/user-dir";
import { describeWithTier } from "./hci-tier";

const EXAMPLE = "1. Poll a battery every 10 s";

describeWithTier("scenario 8: Node-RED runs example 1 over the emulated controller", (tier) => {
  let work: string | undefined;
  let red: NodeRedProcess | undefined;
  let comms: CommsClient | undefined;
  after(async () => {
    await comms?.close();
    await red?.stop("SIGKILL");
    if (work !== undefined) removeDir(work);
  });

  it("shows payloads and badges, and stops on SIGTERM leaving no child", async () => {
    const battery = await tier().startBattery(1);
    work = makeTempDir("bms-hci-e2e-");
    const userDir = path.join(work, "user");
    // The working tree itself, linked: the tier tests the code, the e2e suite tests the packed package.
    await createUserDir(userDir, REPO_ROOT);
    const examples = exampleFlows.readExampleFiles(REPO_ROOT).filter((example) => example.name === EXAMPLE);
    assert.equal(examples.length, 1);
    const flows: FlowNode[] = exampleFlows
      .mergeExamples(examples, { transport: "hci", hciDevice: 0 })
      .map((node) => (node.type === "bms-poll" ? { ...node, address: battery.address } : node));
    fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows));
    // This process's environment (set up by the tier) carries the socket hook into Node-RED and its adapter host.
    red = await NodeRedProcess.start({ userDir, port: await freeLoopbackPort(), flowFile: "flows.json" });
    comms = await CommsClient.connect(red.url, ["debug", "status/#"]);
    const poll = flows.find((node) => node.type === "bms-poll");
    assert.ok(poll);

    const payload = debugMessage(await comms.next((m) => m.topic === "debug", "a debug message")).payload as {
      cellCount?: number;
      voltage?: number;
    };
    assert.equal(payload.cellCount, 4);
    assert.ok(typeof payload.voltage === "number" && payload.voltage > 10);
    const badge = await comms.next(
      (m) => m.topic === `status/${poll.id}` && /V .*%/.test(String((m.data as StatusData).text)),
      "a values badge",
    );
    assert.equal((badge.data as StatusData).fill, "green");

    const children = descendantsOf(red.pid);
    assert.ok(children.length >= 1, "the adapter host runs as Node-RED's child");
    const exit = await red.stop("SIGTERM");
    assert.equal(exit.code, 0);
    for (const pid of children) assert.equal(isAlive(pid), false, `child ${pid} outlived Node-RED`);
  });
});
