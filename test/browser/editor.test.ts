// The real editor in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a real
// Node-RED with this package linked in: palette, dialogs, validation, scan picker, deploy, live badge, help; then,
// in every theme variant the editor offers (Node-RED 5: light and dark), screenshots of our dialogs, the scan
// picker and the badges, and the contrast of the text our styles colour. Screenshots go to test-artifacts/ so a
// person can see what was checked.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import {
  browserSkipReason,
  editorThemes,
  helpClipping,
  launchBrowser,
  lowContrast,
  screenshot,
  setEditorTheme,
  validationMessage,
} from "../support/editor-page";
import { freeLoopbackPort } from "../support/free-port";
import { NodeRedProcess } from "../support/node-red-process";
import { PROBE, probeFlow } from "../support/probe-flow";
import { REPO_ROOT } from "../support/repository";
import { createUserDir, makeTempDir, removeDir } from "../support/user-dir";

const SECOND_BATTERY = "AA:BB:CC:00:00:02";
/** A bms-mos node beside the probe, never triggered: the suite only opens its dialog. */
const SWITCH_NODE = {
  id: "e2e0probe0switch",
  type: "bms-mos",
  z: PROBE.tab,
  name: "",
  adapter: PROBE.adapter,
  address: "",
  allowWrites: false,
  x: 160,
  y: 160,
  wires: [[]],
};
const BANK = "e2e0browser0bank";
/**
 * A bms-poll that polls only on input and never gets any, of a battery nothing else polls: its badge stays the static
 * "closed" from deploy.
 */
const UNPOLLED = {
  id: "e2e0browser0rest",
  type: "bms-poll",
  z: PROBE.tab,
  name: "",
  adapter: PROBE.adapter,
  address: "AA:BB:CC:00:00:03",
  topic: "",
  interval: 0,
  onFailure: "error",
  staleLimit: 3,
  x: 160,
  y: 240,
  wires: [[]],
};
/** Our icon-only buttons, per dialog, with the accessible name (their locale text) a screen reader announces. */
const ICON_BUTTONS = [
  { node: PROBE.poll, button: "#node-input-address-scan", name: "Search for batteries" },
  { node: SWITCH_NODE.id, button: "#node-input-address-scan", name: "Search for batteries" },
  { node: BANK, button: "#node-input-packs-add", name: "add this address" },
];

describe("Node-RED editor in headless Chromium", { skip: browserSkipReason() }, () => {
  let work: string;
  let red: NodeRedProcess;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    work = makeTempDir("bms-browser-");
    const userDir = path.join(work, "user");
    await createUserDir(userDir, REPO_ROOT);
    const flows = [
      ...probeFlow({ topic: "browser", adapterName: "browser probe", batteries: 2 }),
      SWITCH_NODE,
      UNPOLLED,
    ];
    fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows));
    red = await NodeRedProcess.start({ userDir, port: await freeLoopbackPort(), flowFile: "flows.json" });
    ({ context, page } = await launchBrowser(path.join(work, "chromium-profile")));
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
  });

  it("lists one line per battery in the scan picker, why each is taken for JBD, the chosen one highlighted; a click fills the address", async () => {
    await page.evaluate(`RED.editor.edit(RED.nodes.node("${PROBE.poll}"))`);
    const address = page.locator("#node-input-address");
    await address.waitFor();
    assert.equal(await address.inputValue(), PROBE.address);
    await page.locator("#node-input-address-scan").click();
    const line = (battery: string) => page.locator(`.bms-scan-result[data-address="${battery}"]`);
    await line(SECOND_BATTERY).waitFor();
    // Heard: its signal and why it is taken for a JBD battery.
    assert.match(await line(SECOND_BATTERY).innerText(), /-\d+ dBm\s+service ff00, name JBD-…/);
    // The battery in the address field, held by the probe's polls: highlighted, and listed from the link.
    const chosen = page.locator(".bms-scan-chosen");
    assert.equal(await chosen.getAttribute("data-address"), PROBE.address);
    assert.equal(await chosen.getAttribute("aria-selected"), "true");
    assert.match(await chosen.innerText(), /linked\s+service found on connect/);
    // Configured on this adapter (a bms-poll node reads it) but not advertising: the simulator has no battery 3.
    assert.equal(await line(UNPOLLED.address).getAttribute("class"), "bms-scan-result bms-scan-silent");
    assert.equal(
      await line(UNPOLLED.address).locator(".bms-scan-why").textContent(),
      "configured, not advertising (linked, out of range, or held by the phone app)",
    );
    const layout = (await page.evaluate(`(() => {
      const list = document.querySelector("#node-input-address-results");
      const lines = [...list.querySelectorAll("li.bms-scan-result")];
      return {
        lines: lines.length,
        // A line that wraps is at least twice as high as one line of its text.
        wrapped: lines.filter((li) => li.clientHeight >= 2 * li.querySelector(".bms-scan-address").offsetHeight).length,
        listWidth: list.getBoundingClientRect().width,
        fieldWidth: document.querySelector("#node-input-address").getBoundingClientRect().width,
        overflow: list.scrollWidth - list.clientWidth,
        rowRight: list.closest(".form-row").getBoundingClientRect().right,
        listRight: list.getBoundingClientRect().right,
      };
    })()`)) as Record<string, number>;
    assert.equal(layout.lines, 3, JSON.stringify(layout));
    assert.equal(layout.wrapped, 0, JSON.stringify(layout));
    assert.ok(layout.listWidth! >= layout.fieldWidth!, `the list is as wide as the field: ${JSON.stringify(layout)}`);
    assert.ok(layout.overflow! <= 0 && layout.listRight! <= layout.rowRight! + 0.5, JSON.stringify(layout));
    await screenshot(page, "light", "scan-list");

    // A click on a line fills the address field.
    await line(SECOND_BATTERY).click();
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
    await validationMessage(page, maxAge, "Max age: must be a number of seconds from 1 to 86400");
    await screenshot(page, "light", "bank-dialog-invalid");
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
    await validationMessage(page, interval, "Poll every: must be 0 (only on input) or 1 to 86400 seconds");
    await screenshot(page, "light", "poll-dialog-interval-invalid");
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
    await validationMessage(page, idle, "Idle timeout: must be a number of seconds from 0 to 86400");
    await screenshot(page, "light", "adapter-dialog-invalid");
    await cancelDialog(page, "#node-config-dialog-cancel");
  });

  it("offers the module password in the adapter dialog, with the runtime's rules", async () => {
    await page.evaluate(`RED.editor.editConfig("", "bms-adapter", "${PROBE.adapter}")`);
    const password = page.locator("#node-config-input-password");
    await password.waitFor();
    await password.fill("AA:BB:CC:00:00:01=12345");
    await password.press("Tab");
    await page.locator("#node-config-input-password.input-error").waitFor();
    await password.fill("AA:BB:CC:00:00:01=123456\naa-bb-cc-00-00-02 = 654321");
    await password.press("Tab");
    await page.locator("#node-config-input-password.input-error").waitFor({ state: "detached" });
    await cancelDialog(page, "#node-config-dialog-cancel");
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
  });

  it("shows the bank's badge on the canvas: one of its two packs present", async () => {
    const badge = page.locator(`g[id="${BANK}"] .red-ui-flow-node-status-label`);
    // From deploy it shows 0/2 packs; the first reading of the polled pack makes it 1/2 with values.
    await badge.filter({ hasText: /^1\/2 packs / }).waitFor({ timeout: 30_000 });
    assert.match((await badge.textContent()) ?? "", /^1\/2 packs \d+ % \d+\.\d V$/);
    await screenshot(page, "light", "bank-badge");
  });

  it("shows a static badge in the browser's language: the runtime sends its catalog key, the editor translates it", async () => {
    const label = page.locator(`g[id="${UNPOLLED.id}"] .red-ui-flow-node-status-label`);
    await label.filter({ hasText: /^closed$/ }).waitFor({ timeout: 30_000 });
    assert.equal(await label.textContent(), "closed");
  });

  it("shows the node's help in the help sidebar", async () => {
    await page.evaluate(`RED.sidebar.help.show("bms-poll")`);
    const help = page.locator(".red-ui-help");
    await help.getByText("msg.payload").first().waitFor();
    assert.match((await help.allTextContents()).join(" "), /BMS poll[\s\S]*JBD/);
    assert.equal(await help.locator(".red-ui-help-info-none").count(), 0);
    await screenshot(page, "light", "help-sidebar");
  });

  it("cuts nothing off in our help at the help sidebar's default width: long commands wrap in a code block", async () => {
    for (const type of ["bms-adapter", "bms-poll", "bms-mos", "bms-bank"]) {
      await page.evaluate(`RED.sidebar.help.show("${type}")`);
      await page.locator(".red-ui-help h3").first().waitFor();
      const clipped = await helpClipping(page);
      assert.deepEqual(clipped.clipped, [], `${type} at a sidebar ${clipped.sidebar} px wide`);
      await screenshot(page, "light", `help-${type}`, page.locator("#red-ui-sidebar"));
    }
    // The command users must copy is whole in its block.
    await page.evaluate(`RED.sidebar.help.show("bms-adapter")`);
    const command = page.locator(".red-ui-help pre").filter({ hasText: "setcap" });
    assert.equal(await command.innerText(), "sudo setcap cap_net_raw+eip $(eval readlink -f $(which node))");
    await screenshot(page, "light", "help-bms-adapter-setcap", command.locator("xpath=.."));
  });

  it("shows a failed search in the scan picker as an error", async () => {
    await page.evaluate(`RED.editor.edit(RED.nodes.node("${PROBE.poll}"))`);
    // A new adapter whose settings the runtime refuses: its scan fails with the runtime's INVALID_INPUT.
    await page.locator("#node-input-btn-adapter-add").click();
    await page.locator("#node-config-input-transport").selectOption("simulator");
    await page.locator("#node-config-input-simCells").fill("2");
    await page.locator("#node-config-dialog-ok").click();
    await page.locator("#node-config-dialog-ok").waitFor({ state: "detached" });
    const added = (await page.evaluate(`$("#node-input-adapter").val()`)) as string;
    assert.notEqual(added, PROBE.adapter);
    await page.locator("#node-input-address-scan").click();
    const failed = page.locator("#node-input-address-results .bms-scan-error");
    await failed.waitFor();
    assert.equal(
      await failed.innerText(),
      "Search failed: Invalid bms-adapter settings: simCells must be a whole number from 4 to 32",
    );
    assert.equal(await failed.getAttribute("role"), "alert");
    const errorColour = await page.evaluate(`(() => {
      const probe = document.body.appendChild(document.createElement("span"));
      probe.style.color = "var(--red-ui-text-color-error)";
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    })()`);
    const colour = await page.evaluate(
      `getComputedStyle(document.querySelector("#node-input-address-results .bms-scan-error")).color`,
    );
    assert.equal(colour, errorColour, "the editor's error colour");
    assert.deepEqual(await lowContrast(page, ".bms-scan-error"), []);
    await screenshot(page, "light", "scan-failed");
    await cancelDialog(page, "#node-dialog-cancel");
    await page.evaluate(`RED.nodes.remove("${added}")`);
  });
  it("gives the icon-only buttons of our dialogs an aria-label", async () => {
    for (const { node, button, name } of ICON_BUTTONS) {
      await page.evaluate(`RED.editor.edit(RED.nodes.node("${node}"))`);
      try {
        const element = page.locator(button);
        await element.waitFor();
        // Without aria-label a screen reader has only the title tooltip, if anything.
        assert.equal(await element.getAttribute("aria-label"), name, `${node} ${button}`);
        await page.getByRole("button", { name }).waitFor();
      } finally {
        await cancelDialog(page, "#node-dialog-cancel");
      }
    }
  });

  for (const theme of editorThemes()) {
    describe(`in the ${theme} theme`, () => {
      before(() => setEditorTheme(page, theme));

      it("shows the palette entries and the canvas nodes with their badges, labels readable on our colours", async () => {
        await page.evaluate(`RED.sidebar.help.show("bms-poll")`);
        const badge = page.locator(`g[id="${PROBE.poll}"] .red-ui-flow-node-status-label`);
        await badge.filter({ hasText: / V/ }).waitFor({ timeout: 30_000 });
        await screenshot(page, theme, "canvas-badges");
        await screenshot(page, theme, "palette", page.locator("#red-ui-palette-container-battery"));
        assert.deepEqual(await lowContrast(page, "#red-ui-palette-container-battery .red-ui-palette-label"), []);
        const ourNodes = [PROBE.poll, SWITCH_NODE.id, BANK].map((id) => `g[id="${id}"] .red-ui-flow-node-label-text`);
        assert.deepEqual(await lowContrast(page, ourNodes.join(", "), "rect.red-ui-flow-node"), []);
      });

      it("shows the poll dialog and its scan picker, results readable plain and hovered", async () => {
        await page.evaluate(`RED.editor.edit(RED.nodes.node("${PROBE.poll}"))`);
        await page.locator("#node-input-address-scan").waitFor();
        await screenshot(page, theme, "poll-dialog");
        await page.locator("#node-input-address-scan").click();
        const result = page.locator(`.bms-scan-result[data-address="${SECOND_BATTERY}"]`);
        await result.waitFor();
        assert.deepEqual(await lowContrast(page, ".bms-scan-results li > span"), []);
        assert.deepEqual(await lowContrast(page, ".bms-scan-chosen > span"), [], "the highlighted line");
        await result.hover();
        assert.deepEqual(await lowContrast(page, ".bms-scan-results li:hover > span"), []);
        await screenshot(page, theme, "scan-results");
        await cancelDialog(page, "#node-dialog-cancel");
      });

      it("shows the switch, bank and adapter dialogs, the bank's pack list readable", async () => {
        await page.evaluate(`RED.editor.edit(RED.nodes.node("${SWITCH_NODE.id}"))`);
        await page.locator("#node-input-allowWrites").waitFor();
        await screenshot(page, theme, "switch-dialog");
        await cancelDialog(page, "#node-dialog-cancel");
        await page.evaluate(`RED.editor.edit(RED.nodes.node("${BANK}"))`);
        await page.locator(`#node-input-packs-list input[data-address="${SECOND_BATTERY}"]`).waitFor();
        await screenshot(page, theme, "bank-dialog");
        assert.deepEqual(await lowContrast(page, ".bms-bank-pack span, .bms-bank-pack code"), []);
        await cancelDialog(page, "#node-dialog-cancel");
        await page.evaluate(`RED.editor.editConfig("", "bms-adapter", "${PROBE.adapter}")`);
        await page.locator("#node-config-input-idleTimeout").waitFor();
        await screenshot(page, theme, "adapter-dialog");
        await cancelDialog(page, "#node-config-dialog-cancel");
      });
    });
  }
});

/** Closes the open edit tray with its Cancel button and waits until it is gone. */
async function cancelDialog(page: Page, cancelButton: string): Promise<void> {
  await page.locator(cancelButton).click();
  await page.locator(cancelButton).waitFor({ state: "detached" });
}
