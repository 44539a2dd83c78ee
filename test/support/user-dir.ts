import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { installCommand, NPM_TEST_ENV } from "./install-commands";
import { REPO_ROOT } from "./repository";

const run = promisify(execFile);

/**
 * `npm pack` of the repository into `destination`, so a test installs exactly what the `files` list publishes.
 * `npm test` has built dist/ already, so the `prepare` that npm 11 runs here despite --ignore-scripts (npm itself
 * runs inside an npm script) finds the build output and leaves dist/ alone for the suites running beside this one.
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
 * A Node-RED user directory with `spec` (a .tgz, a folder or a git URL) installed into it by the README's install
 * command. It gets its own package.json first: without one npm walks up the tree and installs into a parent
 * package. Install scripts run as they do for users: the package's `prepare` builds only when dist/ is missing
 * (never under these suites, which run on a built tree) and npm 11 runs no dependency install scripts unapproved.
 */
export async function createUserDir(userDir: string, spec: string): Promise<void> {
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, "package.json"), `${JSON.stringify({ name: "node-red-user", private: true })}\n`);
  const [command, ...args] = installCommand(spec);
  await run(command!, args, { cwd: userDir, env: { ...process.env, ...NPM_TEST_ENV } });
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
