import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./repository";

const run = promisify(execFile);

/**
 * A git repository at `destination` holding this working tree as a commit: every file git tracks or would track
 * (so ignored output such as dist/ and node_modules/ stays out, as on the hosted repository), with uncommitted
 * edits included, so a git install tests the code under test rather than the last commit. Answers its file URL.
 */
export async function snapshotRepository(destination: string): Promise<string> {
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of stdout.split("\0").filter(Boolean)) {
    const source = path.join(REPO_ROOT, file);
    if (!fs.existsSync(source)) continue; // deleted in the working tree, not yet in the index
    fs.mkdirSync(path.dirname(path.join(destination, file)), { recursive: true });
    fs.copyFileSync(source, path.join(destination, file));
  }
  const git = (...args: string[]) => run("git", args, { cwd: destination });
  await git("init", "--quiet");
  await git("add", "--all");
  await git("-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "--quiet", "-m", "snapshot");
  return `git+file://${destination}`;
}
