import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository root, seen from dist/test/support. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const PACKAGE_NAME = "@bmskit/node-red-jbd-bms";

/**
 * `npm pack` of the repository into `destination`, so a test installs exactly what the `files` list publishes.
 * `npm test` has built dist/ already; the package deliberately has no `prepare` script (npm 11 runs it even with
 * --ignore-scripts when npm itself runs inside an npm script, as here), so packing never rebuilds dist/ underneath
 * the suites running beside this one.
 */
export async function packPackage(destination: string): Promise<string> {
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], {
    cwd: REPO_ROOT,
  });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  return path.join(destination, packed!.filename);
}

/** A fresh temporary directory; the caller removes it with removeDir. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A Node-RED user directory with `spec` (a .tgz or a folder) installed into it. It gets its own package.json first:
 * without one npm walks up the tree and installs into a parent package.
 */
export async function createUserDir(userDir: string, spec: string): Promise<void> {
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, "package.json"), `${JSON.stringify({ name: "node-red-user", private: true })}\n`);
  await run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", spec], {
    cwd: userDir,
  });
}

/** The example flows as the installed package ships them: file name without .json -> flow array. */
export function readExamples(packageDir: string): Map<string, Record<string, unknown>[]> {
  const dir = path.join(packageDir, "examples");
  const examples = new Map<string, Record<string, unknown>[]>();
  if (!fs.existsSync(dir)) return examples;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    examples.set(file.slice(0, -".json".length), JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")));
  }
  return examples;
}
