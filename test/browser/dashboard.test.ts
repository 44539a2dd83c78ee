// Example 2's FlowFuse dashboard in headless Chromium (Debian's, through playwright-core) against a real Node-RED
// running the example on the simulator, at a phone's width (390 px) and a desktop's (1400 px): the battery cards
// fill in and change, the charge switch asks before switching off and the simulated battery's MOSFET follows (seen
// in the next poll, which reads the battery), and the bank page counts its packs. Screenshots go to test-artifacts/.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { exampleFlows } from "../support/example-flows";
import { freeLoopbackPort } from "../support/free-port";
import { NodeRedProcess } from "../support/node-red-process";
import { REPO_ROOT } from "../support/repository";
import { createUserDir, makeTempDir, removeDir } from "../support/user-dir";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(REPO_ROOT, "test-artifacts");
const EXAMPLE = "2. Dashboard with batteries, switches, history and bank";
const ADAPTER = { transport: "simulator", simBatteries: 3, simFaults: "none", simLatency: "instant" };
const BATTERY = "AA:BB:CC:00:00:01";
/** The example polls every 10 s: a value change or a following poll takes up to that, plus slack for a busy machine. */
const POLL_WAIT_MS = 60_000;

/** Without Chromium the suite is skipped, unless CI demands it (REQUIRE_BROWSER=1): then it fails. */
function skipReason(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  const reason = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.REQUIRE_BROWSER === "1") throw new Error(`REQUIRE_BROWSER=1: ${reason}`);
  console.log(`# dashboard suite skipped: ${reason}`);
  return reason;
}

describe("Dashboard example in headless Chromium", { skip: skipReason() }, () => {
  let work: string;
  let red: NodeRedProcess;
  let browser: Browser;

  before(async () => {
    work = makeTempDir("bms-dashboard-");
    const userDir = path.join(work, "user");
    await createUserDir(userDir, REPO_ROOT);
    const example = exampleFlows.readExampleFiles(REPO_ROOT).filter((e) => e.name === EXAMPLE);
    assert.equal(example.length, 1);
    fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(exampleFlows.mergeExamples(example, ADAPTER)));
    red = await NodeRedProcess.start({ userDir, port: await freeLoopbackPort(), flowFile: "flows.json" });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    });
  });

  after(async () => {
    await browser?.close();
    await red?.stop("SIGTERM");
    if (work !== undefined) removeDir(work);
  });

  /** A fresh page of the given width on the dashboard's page `name`, with page errors collected. */
  async function open(width: number, name: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(new URL(`dashboard/${name}`, red.url).href);
    return { page, errors };
  }

  const card = (page: Page, address: string) => page.locator(`[data-battery="${address}"]`);
  const field = (page: Page, name: string) => card(page, BATTERY).locator(`[data-field="${name}"]`);

  it("at 1400 px: a card per battery side by side, whose values fill in and change", async () => {
    const { page, errors } = await open(1400, "batteries");
    await page.locator("[data-battery]").nth(2).waitFor();
    assert.equal(await page.locator("[data-battery]").count(), 3);
    const boxes = await Promise.all([1, 2, 3].map((n) => card(page, `AA:BB:CC:00:00:0${n}`).boundingBox()));
    assert.ok(boxes[0]!.y === boxes[1]!.y && boxes[1]!.x > boxes[0]!.x, "side by side");
    assert.match(await field(page, "voltage").innerText(), /^\d+\.\d\d V$/);
    assert.match(await field(page, "soc").textContent().then(String), /^\d+ %$/);
    assert.match(await field(page, "cell-delta").innerText(), /^Δ \d+ mV$/);
    assert.match(await field(page, "temperature-1").innerText(), /^T1 -?\d+\.\d °C$/);
    assert.match(await field(page, "freshness").innerText(), /^updated /);
    const values = () =>
      Promise.all(["voltage", "current", "power"].map((name) => field(page, name).innerText())).then((v) => v.join());
    const first = await values();
    await page.waitForFunction(
      ([address, before]) => {
        const card = document.querySelector(`[data-battery="${address}"]`);
        const read = (name: string) => card?.querySelector(`[data-field="${name}"]`)?.textContent?.trim();
        return ["voltage", "current", "power"].map(read).join() !== before;
      },
      [BATTERY, first] as const,
      { timeout: POLL_WAIT_MS },
    );
    await page.locator(".bms-cards").waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-1400.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("switches charging off after the confirmation, and the next poll reads the battery's MOSFET off", async () => {
    const { page, errors } = await open(1400, "batteries");
    const battery = card(page, BATTERY);
    await battery.waitFor();
    assert.equal(await battery.getAttribute("data-charge"), "true");
    const charge = battery.locator('[data-switch="charge"] input');
    await charge.click();
    const confirm = page.locator('[data-dialog="confirm-off"]');
    await confirm.waitFor();
    assert.match(await confirm.innerText(), /Switch charge off\?[\s\S]*Battery 1/);
    await page.locator('[data-confirm="off"]').click();
    await confirm.waitFor({ state: "detached" });
    const clicked = Number(await battery.getAttribute("data-fresh-at"));
    // The BMS switch confirmed by reading back; then a poll after the switch reads the battery itself.
    await page.waitForFunction(
      ([address, after]) => {
        const card = document.querySelector(`[data-battery="${address}"]`);
        return card?.getAttribute("data-charge") === "false" && Number(card.getAttribute("data-fresh-at")) > after;
      },
      [BATTERY, clicked] as const,
      { timeout: POLL_WAIT_MS },
    );
    assert.equal(await battery.locator('[data-switch="charge"]').getAttribute("data-on"), "false");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-charge-off.png") });
    // Switching on needs no confirmation.
    await charge.click();
    await page.waitForFunction(
      (address) => document.querySelector(`[data-battery="${address}"]`)?.getAttribute("data-charge") === "true",
      BATTERY,
      { timeout: POLL_WAIT_MS },
    );
    assert.equal(await page.locator('[data-dialog="confirm-off"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("at 390 px: the cards stack and fit the phone's width", async () => {
    const { page, errors } = await open(390, "batteries");
    await page.locator("[data-battery]").nth(2).waitFor();
    const boxes = await Promise.all([1, 2, 3].map((n) => card(page, `AA:BB:CC:00:00:0${n}`).boundingBox()));
    for (const box of boxes) assert.ok(box!.x >= 0 && box!.x + box!.width <= 390, JSON.stringify(box));
    assert.ok(boxes[0]!.y < boxes[1]!.y && boxes[1]!.y < boxes[2]!.y, "stacked");
    const overflow = await page.evaluate("document.documentElement.scrollWidth");
    assert.ok(Number(overflow) <= 390, `page width ${overflow}`);
    assert.match(await field(page, "voltage").innerText(), /^\d+\.\d\d V$/);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-390.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows the bank of the three packs on the bank page", async () => {
    const { page, errors } = await open(1400, "bank");
    const packs = page.locator('[data-field="packs"]');
    await packs.filter({ hasText: /3\/3 packs/ }).waitFor({ timeout: POLL_WAIT_MS });
    assert.equal(await page.locator("[data-pack]").count(), 3);
    assert.match(await page.locator("[data-pack]").first().innerText(), /Battery 1/);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-bank.png") });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
