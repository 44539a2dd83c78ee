import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Builds what the emulated-HCI tier runs, once per machine, into a git-ignored cache folder:
 * - btvirt, BlueZ's controller emulator, compiled from Debian's `bluez-source` (the same BlueZ 5.66 as Debian's
 *   `bluez-test-tools` btvirt) with the patches in native/ applied (one ACL handle per link; whole H4 packets both
 *   ways under load). The tarball ships the built tree, so only the patched emulator/btdev.c and emulator/server.c
 *   are compiled and linked with the package's own objects: a few seconds.
 * - native/btvirt-preload.c as an LD_PRELOAD library (private socket folder, AF_ALG placeholder, no orphans);
 * - native/kernel-hci-socket-preload.c as an LD_PRELOAD library for the processes whose real socket module should
 *   reach a btvirt controller (the kernel's raw HCI socket, emulated).
 * The folder is named after a hash of the sources, so a change to any builds afresh; concurrent runs each build
 * into a temporary folder and the first rename wins.
 */

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const NATIVE_DIR = path.join(REPO_ROOT, "test", "hci-emulation", "native");
const PATCH_FILES = ["btdev-acl-handles.patch", "btvirt-server-stream.patch"].map((name) =>
  path.join(NATIVE_DIR, name),
);
/** The emulator sources the patches change, compiled here; the rest of btvirt is linked as Debian built it. */
const PATCHED_SOURCES = ["btdev", "server"];
const PRELOAD_SOURCE = path.join(NATIVE_DIR, "btvirt-preload.c");
const KERNEL_SOCKET_SOURCE = path.join(NATIVE_DIR, "kernel-hci-socket-preload.c");
const CACHE_ROOT = path.join(REPO_ROOT, ".cache", "hci-emulation");
/** Where Debian's bluez-source package puts its tarball of the built BlueZ tree. */
export const BLUEZ_SOURCE_TARBALL = "/usr/src/bluez.tar.bz2";
const TREE = "bluez-source";

/** btvirt's other objects (Makefile.tools, emulator_btvirt_SOURCES), linked as Debian built them. */
const EMULATOR_OBJECTS = ["main", "serial", "vhci", "bthost", "smp", "phy", "amp", "le"].map(
  (name) => `emulator/${name}.o`,
);
const LIBRARIES = ["lib/.libs/libbluetooth-internal.a", "src/.libs/libshared-mainloop.a"];
/** What compiling the patched sources needs from the tree. */
const SOURCES = [
  "config.h",
  ...PATCHED_SOURCES.map((name) => `emulator/${name}.c`),
  "emulator/*.h",
  "lib/*.h",
  "src/shared/*.h",
  "monitor/*.h",
];

export interface EmulatorBinaries {
  btvirt: string;
  preload: string;
  kernelHciSocket: string;
}

/** What the tier needs that this machine lacks, as an install hint; empty when it can build. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!fs.existsSync(BLUEZ_SOURCE_TARBALL)) missing.push(`bluez-source (${BLUEZ_SOURCE_TARBALL})`);
  for (const tool of ["gcc", "patch", "tar", "bzip2"]) if (!onPath(tool)) missing.push(tool);
  return missing;
}

/** The cached binaries, built first if this machine has none for the present sources. */
export function ensureEmulatorBuilt(): EmulatorBinaries {
  const hash = createHash("sha256");
  for (const patch of PATCH_FILES) hash.update(fs.readFileSync(patch));
  const key = hash
    .update(fs.readFileSync(PRELOAD_SOURCE))
    .update(fs.readFileSync(KERNEL_SOCKET_SOURCE))
    .update(String(fs.statSync(BLUEZ_SOURCE_TARBALL).size))
    .digest("hex")
    .slice(0, 16);
  const target = path.join(CACHE_ROOT, key);
  const binaries = {
    btvirt: path.join(target, "btvirt"),
    preload: path.join(target, "btvirt-preload.so"),
    kernelHciSocket: path.join(target, "kernel-hci-socket-preload.so"),
  };
  if (Object.values(binaries).every((binary) => fs.existsSync(binary))) return binaries;

  fs.mkdirSync(CACHE_ROOT, { recursive: true });
  const work = fs.mkdtempSync(path.join(CACHE_ROOT, "build-"));
  try {
    const run = (file: string, args: string[], cwd = work) => execFileSync(file, args, { cwd, stdio: "pipe" });
    const members = [...SOURCES, ...EMULATOR_OBJECTS, ...LIBRARIES].map((member) => `${TREE}/${member}`);
    run("tar", ["-xjf", BLUEZ_SOURCE_TARBALL, "--wildcards", ...members]);
    const tree = path.join(work, TREE);
    for (const patch of PATCH_FILES) run("patch", ["-p1", "--forward", "--input", patch], tree);
    const patchedObjects = PATCHED_SOURCES.map((name) => {
      run(
        "gcc",
        ["-O2", "-DHAVE_CONFIG_H", "-I.", "-Ilib", "-c", `emulator/${name}.c`, "-o", `emulator/${name}.o`],
        tree,
      );
      return `emulator/${name}.o`;
    });
    const out = path.join(work, "out");
    fs.mkdirSync(out);
    run("gcc", ["-o", path.join(out, "btvirt"), ...patchedObjects, ...EMULATOR_OBJECTS, ...LIBRARIES], tree);
    run("gcc", ["-shared", "-fPIC", "-O2", "-o", path.join(out, "btvirt-preload.so"), PRELOAD_SOURCE, "-ldl"]);
    const kernelSocket = path.join(out, "kernel-hci-socket-preload.so");
    run("gcc", ["-shared", "-fPIC", "-O2", "-pthread", "-o", kernelSocket, KERNEL_SOCKET_SOURCE, "-ldl"]);
    try {
      fs.renameSync(out, target);
    } catch (error) {
      // Another run finished the same build first; its binaries are identical.
      if (!fs.existsSync(binaries.btvirt)) throw error;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return binaries;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && isExecutable(path.join(dir, tool)));
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
