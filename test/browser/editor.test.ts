// The real editor in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a real
// Node-RED with this package linked in: palette, dialogs, validation, scan picker, deploy, live badge, help.
// Screenshots go to test-artifacts/ so a person can see what was checked.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { freeLoopbackPort } from "../support/free-port";
import { NodeRedProcess } from "../support/node-red-process";
import { PROBE, probeFlow } from "../support/probe-flow";
import { createUserDir, makeTempDir, REPO_ROOT, removeDir } from "../support/user-dir";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(REPO_ROOT, "test-artifacts");
const SECOND_BATTERY = "AA:BB:CC:00:00:02";
const BANK = "e2e0browser0bank";

/** Without Chromium the suite is skipped, unless CI demands it (REQUIRE_BROWSER=1): then it fails. */
function skipReason(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  const reason = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.REQUIRE_BROWSER === "1") throw new Error(`REQUIRE_BROWSER=1: ${reason}`);
  console.log(`# browser suite skipped: ${reason}`);
  return reason;
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

describe("Node-RED editor in headless Chromium", { skip: skipReason() }, () => {
  let work: string;
  let red: NodeRedProcess;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    work = makeTempDir("bms-browser-");
    const userDir = path.join(work, "user");
    await createUserDir(userDir, REPO_ROOT);
    const flows = probeFlow({ topic: "browser", adapterName: "browser probe", batteries: 2 });
    fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows));
    red = await NodeRedProcess.start({ userDir, port: await freeLoopbackPort(), flowFile: "flows.json" });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    context = await chromium.launchPersistentContext(path.join(work, "chromium-profile"), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(red.url);
    await page.waitForFunction(`typeof RED !== "undefined" && RED.nodes.node("${PROBE.poll}") !== null`);
  });

  after(async () => {
    await context?.close();
    await red?.stop("SIGTERM");
    if (work !== undefined) removeDir(work);
  });

  it("shows the flow nodes under the battery category with their icons", async () => {
    await page.locator("#red-ui-palette-header-battery").waitFor();
    for (const type of ["bms-poll", "bms-mos", "bms-bank"]) {
      const entry = page.locator(`#red-ui-palette-container-battery .red-ui-palette-node[data-palette-type="${type}"]`);
      await entry.waitFor();
      const icon = entry.locator(".red-ui-palette-icon, .red-ui-palette-icon-fa").first();
      await icon.waitFor();
      // Node-RED puts a file icon in an inline background-image, a Font Awesome icon in the class list.
      const image = `${await icon.getAttribute("style")} ${await icon.getAttribute("class")}`;
      assert.match(image, /node-red-jbd-bms|fa-/, `${type} icon: ${image}`);
    }
    // A config node is not in the palette; the editor must still know it under the config category.
    const adapterCategory = await page.evaluate(`RED.nodes.getType("bms-adapter")?.category`);
    assert.equal(adapterCategory, "config");
    await page.locator("#red-ui-palette-container-battery").screenshot({ path: path.join(ARTIFACTS, "palette.png") });
  });

  it("opens the bms-poll dialog, and the scan button fills the address", async () => {
    await page.evaluate(`RED.editor.edit(RED.nodes.node("${PROBE.poll}"))`);
    const address = page.locator("#node-input-address");
    await address.waitFor();
    await screenshot(page, "poll-dialog");
    await page.locator("#node-input-address-scan").click();
    const result = page.locator(`.bms-scan-result[data-address="${SECOND_BATTERY}"]`);
    await result.waitFor();
    await screenshot(page, "scan-results");
    await result.click();
    assert.equal(await address.inputValue(), SECOND_BATTERY);
    await page.locator("#node-dialog-ok").click();
    await page.locator("#node-dialog-ok").waitFor({ state: "detached" });
  });

  it("opens a bms-bank dialog that offers the flow's bms-poll battery and checks max age by the runtime's rule", async () => {
    await page.evaluate(`RED.view.importNodes([{ id: "${BANK}", type: "bms-bank", z: "${PROBE.tab}", x: 420, y: 160,
      name: "", packs: [], maxAge: 60, topic: "", wires: [[]] }]);
      RED.nodes.addLink({ source: RED.nodes.node("${PROBE.poll}"), sourcePort: 0, target: RED.nodes.node("${BANK}") });
      RED.view.redraw(true);
      RED.editor.edit(RED.nodes.node("${BANK}"));`);
    const offered = page.locator(`#node-input-packs-list input[data-address="${SECOND_BATTERY}"]`);
    await offered.waitFor();
    assert.equal(await offered.isChecked(), false);
    await offered.check();
    await page.locator("#node-input-packs-other").fill("aa-bb-cc-00-00-07");
    await page.locator("#node-input-packs-add").click();
    assert.equal(
      await page.locator('#node-input-packs-list input[data-address="AA:BB:CC:00:00:07"]').isChecked(),
      true,
    );
    const maxAge = page.locator("#node-input-maxAge");
    await maxAge.fill("0");
    await maxAge.press("Tab");
    await page.locator("#node-input-maxAge.input-error").waitFor();
    await screenshot(page, "bank-dialog-invalid");
    await maxAge.fill("90");
    await maxAge.press("Tab");
    await page.locator("#node-input-maxAge.input-error").waitFor({ state: "detached" });
    await page.locator("#node-dialog-ok").click();
    await page.locator("#node-dialog-ok").waitFor({ state: "detached" });
    const saved = (await page.evaluate(
      `(({ packs, maxAge, valid }) => ({ packs, maxAge, valid }))(RED.nodes.node("${BANK}"))`,
    )) as { packs: string[]; maxAge: unknown; valid: boolean };
    assert.deepEqual(saved.packs, [SECOND_BATTERY, "AA:BB:CC:00:00:07"]);
    assert.equal(Number(saved.maxAge), 90);
    assert.equal(saved.valid, true);
  });

  it("marks a bms-poll interval below the runtime's minimum invalid in the dialog", async () => {
    assert.equal(await page.evaluate("RED.settings.bmsPollIntervalMin"), 1, "the minimum comes from the runtime");
    await page.evaluate(`RED.editor.edit(RED.nodes.node("${PROBE.poll}"))`);
    const interval = page.locator("#node-input-interval");
    await interval.waitFor();
    await interval.fill("0.001");
    await interval.press("Tab");
    await page.locator("#node-input-interval.input-error").waitFor();
    await screenshot(page, "poll-dialog-interval-invalid");
    await page.locator("#node-dialog-cancel").click();
    await page.locator("#node-dialog-cancel").waitFor({ state: "detached" });
  });

  it("opens the adapter dialog and marks a negative idle timeout invalid", async () => {
    await page.evaluate(`RED.editor.editConfig("", "bms-adapter", "${PROBE.adapter}")`);
    const idle = page.locator("#node-config-input-idleTimeout");
    await idle.waitFor();
    await idle.fill("-5");
    await idle.press("Tab");
    await page.locator("#node-config-input-idleTimeout.input-error").waitFor();
    await screenshot(page, "adapter-dialog-invalid");
    await page.locator("#node-config-dialog-cancel").click();
    await page.locator("#node-config-dialog-cancel").waitFor({ state: "detached" });
  });

  it("deploys, and the canvas badge shows live values from the newly chosen battery", async () => {
    // The badge already shows values from before the deploy, so record the badge texts the editor receives from
    // now on: the redeployed node must report a fresh state first and then values again.
    await page.evaluate(`window.bmsBadges = [];
      RED.comms.subscribe("status/${PROBE.poll}", (topic, status) => window.bmsBadges.push(status.text || ""));`);
    await page.locator("#red-ui-header-button-deploy").click();
    await page.waitForFunction("!RED.nodes.dirty()");
    const deployed = await page.evaluate(`fetch("flows").then((response) => response.json())`);
    const poll = (deployed as { id: string; address?: string }[]).find((node) => node.id === PROBE.poll);
    assert.equal(poll?.address, SECOND_BATTERY);
    await page.waitForFunction(
      "window.bmsBadges.some((text, i) => !/ V/.test(text) && window.bmsBadges.slice(i).some((t) => / V/.test(t)))",
      undefined,
      { timeout: 30_000 },
    );
    const badge = page.locator(`g[id="${PROBE.poll}"] .red-ui-flow-node-status-label`);
    await badge.filter({ hasText: / V/ }).waitFor({ timeout: 30_000 });
    assert.match((await badge.textContent()) ?? "", /\d+(\.\d+)? V/);
    await page.locator(".red-ui-notification").first().waitFor({ state: "hidden" });
    await screenshot(page, "running-flow");
  });

  it("shows the bank's badge on the canvas: one of its two packs present", async () => {
    const badge = page.locator(`g[id="${BANK}"] .red-ui-flow-node-status-label`);
    // From deploy it shows 0/2 packs; the first reading of the polled pack makes it 1/2 with values.
    await badge.filter({ hasText: /^1\/2 packs / }).waitFor({ timeout: 30_000 });
    assert.match((await badge.textContent()) ?? "", /^1\/2 packs \d+ % \d+\.\d V$/);
    await screenshot(page, "bank-badge");
  });

  it("shows the node's help in the help sidebar", async () => {
    await page.evaluate(`RED.sidebar.help.show("bms-poll")`);
    const help = page.locator(".red-ui-help");
    await help.getByText("msg.payload").first().waitFor();
    assert.match((await help.allTextContents()).join(" "), /BMS poll[\s\S]*JBD/);
    assert.equal(await help.locator(".red-ui-help-info-none").count(), 0);
    await screenshot(page, "help-sidebar");
  });
});
