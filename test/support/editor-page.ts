import * as fs from "node:fs";
import * as path from "node:path";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { NODE_RED_MAJOR, NODE_RED_VERSION } from "./node-red-install";
import { REPO_ROOT } from "./repository";

/**
 * The editor in headless Chromium, for the browser suites: Debian's Chromium driven by playwright-core, the
 * editor's theme variants, screenshots with names that say what they show, and a computed contrast check.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Without Chromium a browser suite is skipped, unless CI demands it (REQUIRE_BROWSER=1): then it fails. */
export function browserSkipReason(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  const reason = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.REQUIRE_BROWSER === "1") throw new Error(`REQUIRE_BROWSER=1: ${reason}`);
  console.log(`# browser suite skipped: ${reason}`);
  return reason;
}

/** A fresh Chromium profile in `profileDir` (the caller's temporary folder), one page, the editor's usual size. */
export async function launchBrowser(profileDir: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, {
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
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

export type EditorTheme = "light" | "dark";

/** The theme variants the editor offers: Node-RED 5 added a dark variant (light stays the default); 4.x has one. */
export function editorThemes(): EditorTheme[] {
  return NODE_RED_MAJOR >= 5 ? ["light", "dark"] : ["light"];
}

/**
 * Switches the editor's theme variant as a user does (Settings ▸ View ▸ Appearance, then Close) and waits until
 * the page shows it (Node-RED 5 marks the dark variant with the class nr-theme-dark on <html>).
 */
export async function setEditorTheme(page: Page, theme: EditorTheme): Promise<void> {
  if (!editorThemes().includes(theme)) throw new Error(`Node-RED ${NODE_RED_VERSION} has no ${theme} theme`);
  if (NODE_RED_MAJOR >= 5) {
    await page.evaluate(`RED.userSettings.show("view")`);
    await page.locator("#user-settings-view-dark-theme").selectOption(theme);
    await page.locator("#node-dialog-ok").click();
    await page.locator("#node-dialog-ok").waitFor({ state: "detached" });
  }
  await page.waitForFunction(`document.documentElement.classList.contains("nr-theme-dark") === ${theme === "dark"}`);
}

/**
 * A screenshot of the page (or of one element) at test-artifacts/node-red-<version>/<theme>/<name>.png
 * (git-ignored), so the runs on each runtime and theme keep their own pictures side by side. It waits until every
 * edit tray has slid into place (Node-RED moves trays in with a CSS transition on `right`) and nothing animates,
 * so the picture shows the finished dialog.
 */
export async function screenshot(page: Page, theme: EditorTheme, name: string, element?: Locator): Promise<void> {
  await page.waitForFunction(`[...document.querySelectorAll(".red-ui-tray")].every((tray) =>
    getComputedStyle(tray).right === "0px") && document.getAnimations().every((a) => a.playState !== "running")`);
  const dir = path.join(REPO_ROOT, "test-artifacts", `node-red-${NODE_RED_VERSION}`, theme);
  fs.mkdirSync(dir, { recursive: true });
  await (element ?? page).screenshot({ path: path.join(dir, `${name}.png`) });
}

/** One text element's colours and their WCAG 2 contrast ratio, as the page renders them. */
export interface TextContrast {
  text: string;
  color: string;
  background: string;
  ratio: number;
  /** The WCAG AA minimum for this text: 3 for large text (24 px, or 18.66 px bold), else 4.5. */
  required: number;
}

/**
 * The contrast of every visible element matching `textSelector` that has text of its own. Its background is the
 * first opaque background-color among its ancestors (semi-transparent layers composited on the way), or, for SVG
 * text (a node's label on the canvas), the fill of the first `svgBackground` shape in its nearest enclosing group that
 * has one.
 */
export async function measureContrast(
  page: Page,
  textSelector: string,
  svgBackground = "rect",
): Promise<TextContrast[]> {
  const args = JSON.stringify({ textSelector, svgBackground });
  return (await page.evaluate(`(${MEASURE_CONTRAST_IN_PAGE})(${args})`)) as TextContrast[];
}

/**
 * measureContrast's page side, as plain JavaScript: the project compiles without the DOM library (nothing in src
 * may use browser globals), so page code stays a string the browser runs.
 */
const MEASURE_CONTRAST_IN_PAGE = `({ textSelector, svgBackground }) => {
  const parse = (css) => {
    const match = /^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/.exec(css);
    if (match === null) throw new Error("unexpected colour format: " + css);
    return [Number(match[1]), Number(match[2]), Number(match[3]), match[4] === undefined ? 1 : Number(match[4])];
  };
  // top drawn over bottom (bottom opaque).
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backgroundOf = (element) => {
    if (element instanceof SVGElement) {
      // The shape drawn behind the text: the first one in the nearest enclosing group that has one.
      for (let group = element.closest("g"); group !== null; group = group.parentElement.closest("g")) {
        const shape = group.querySelector(svgBackground);
        if (shape) return parse(getComputedStyle(shape).fill);
      }
      throw new Error("no " + svgBackground + " behind SVG text " + element.textContent);
    }
    const layers = [];
    for (let e = element; e !== null; e = e.parentElement) {
      const layer = parse(getComputedStyle(e).backgroundColor);
      if (layer[3] === 0) continue;
      layers.push(layer);
      if (layer[3] === 1) break;
    }
    // The canvas under everything is white when no layer is opaque.
    return layers.reduceRight((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const css = (c) => "rgb(" + c.slice(0, 3).map(Math.round).join(", ") + ")";
  return [...document.querySelectorAll(textSelector)]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      const ownText = [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== "");
      return box.width > 0 && box.height > 0 && ownText;
    })
    .map((element) => {
      const style = getComputedStyle(element);
      const background = backgroundOf(element);
      const color = over(parse(element instanceof SVGElement ? style.fill : style.color), background);
      const [light, dark] = [luminance(color), luminance(background)].sort((a, b) => b - a);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      return {
        text: element.textContent.trim(),
        color: css(color),
        background: css(background),
        ratio: Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100,
        required: large ? 3 : 4.5,
      };
    });
}`;

/** Texts below their WCAG AA minimum, for an assertion that names them; also fails when nothing was measured. */
export async function lowContrast(page: Page, textSelector: string, svgBackground?: string): Promise<TextContrast[]> {
  const measured = await measureContrast(page, textSelector, svgBackground);
  if (measured.length === 0) throw new Error(`no visible text matches ${textSelector}`);
  return measured.filter((m) => m.ratio < m.required);
}

/**
 * Hovers an invalid field and waits for the editor's tooltip with the validator's message (Node-RED shows the string
 * a validator returns there), then moves the pointer away so the tooltip closes.
 */
export async function validationMessage(page: Page, field: Locator, message: string): Promise<void> {
  const popover = page.locator(".red-ui-popover").filter({ hasText: message });
  // The editor shows the message when the pointer enters the field. A tray still sliding in (slow on a busy machine)
  // can move the field away from under the pointer before that, so enter it again until the message shows.
  for (let attempt = 1; ; attempt++) {
    await page.waitForFunction(`document.getAnimations().every((a) => a.playState !== "running")`);
    await page.mouse.move(0, 0);
    await field.hover();
    try {
      await popover.waitFor({ timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
  await page.mouse.move(0, 0);
}

/**
 * In the page: what the help sidebar cuts off at its present width: the help's own horizontal overflow, and each code
 * element that reaches past the help's right edge or scrolls within itself (a block of code may wrap; it must not
 * hide the end of a command).
 */
const HELP_CLIPPING_IN_PAGE = `(() => {
  const help = [...document.querySelectorAll(".red-ui-help")].filter((h) => h.getBoundingClientRect().width > 0).pop();
  const right = help.getBoundingClientRect().right;
  const clipped = [];
  if (help.scrollWidth > help.clientWidth) clipped.push("the help scrolls sideways by " + (help.scrollWidth - help.clientWidth) + " px");
  for (const element of help.querySelectorAll("code, pre, dt")) {
    const box = element.getBoundingClientRect();
    if (box.right > right + 0.5 || element.scrollWidth > element.clientWidth + 0.5 && element.tagName === "PRE") {
      clipped.push(element.tagName.toLowerCase() + ": " + element.textContent.trim().slice(0, 60));
    }
  }
  return { sidebar: Math.round(document.querySelector("#red-ui-sidebar").getBoundingClientRect().width), clipped };
})()`;

/** What the help sidebar cuts off at its present width (see HELP_CLIPPING_IN_PAGE), and that width. */
export async function helpClipping(page: Page): Promise<{ sidebar: number; clipped: string[] }> {
  return (await page.evaluate(HELP_CLIPPING_IN_PAGE)) as { sidebar: number; clipped: string[] };
}
