import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  chooseHciSocket,
  NOBLE_HCI_SOCKET,
  NoHciSocketError,
  PREBUILT_HCI_SOCKET,
} from "../../src/ble/host/hci-socket-choice";
import { classifyHciFailure, classifyHciState } from "../../src/ble/host/unavailable-reasons";

/** The shape of errors from the native addon: node::ErrnoException sets `code` and "CODE, text" as message. */
function errno(code: string, text: string): Error {
  return Object.assign(new Error(`${code}, ${text}`), { code });
}

/** A real load failure: require() of what does not exist, or of a file that is no binary for this machine. */
function thrownBy(load: () => unknown): unknown {
  try {
    load();
  } catch (error) {
    return error;
  }
  throw new Error("expected the load to fail");
}

/** A prebuilt binary of the prebuilt module for another CPU, under the name noble's own module builds. */
function binaryForAnotherCpu(): string {
  const prebuilt = path.dirname(require.resolve(`${PREBUILT_HCI_SOCKET}/package.json`));
  const foreign = fs.readdirSync(path.join(prebuilt, "prebuilds")).find((dir) => !dir.includes(process.arch));
  assert.ok(foreign !== undefined);
  const [binary] = fs.readdirSync(path.join(prebuilt, "prebuilds", foreign));
  assert.ok(binary !== undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hci-socket-"));
  const target = path.join(dir, "bluetooth_hci_socket.node");
  fs.copyFileSync(path.join(prebuilt, "prebuilds", foreign, binary), target);
  return target;
}

describe("classifyHciFailure: no socket module loads", () => {
  it("names every module tried, why each did not load, and how to get one that does", () => {
    const notBuilt = thrownBy(() => require(path.join(os.tmpdir(), "not-here", "bluetooth_hci_socket.node")));
    const error = thrownBy(() => chooseHciSocket(["@bmskit/no-such-hci-socket"]));
    assert.ok(error instanceof NoHciSocketError);
    const reason = classifyHciFailure(
      new NoHciSocketError([
        { module: PREBUILT_HCI_SOCKET, error: thrownBy(() => require.resolve(PREBUILT_HCI_SOCKET, { paths: ["/"] })) },
        { module: NOBLE_HCI_SOCKET, error: notBuilt },
        ...error.attempts,
      ]),
      0,
    );
    assert.equal(reason.state, "unsupported");
    assert.equal(
      reason.message,
      "Bluetooth adapter hci0 unavailable: no Bluetooth HCI socket module loads: " +
        "@stoprocent/bluetooth-hci-socket is not installed; @abandonware/bluetooth-hci-socket is not built; " +
        "@bmskit/no-such-hci-socket is not installed. " +
        "Fix: `npm install @stoprocent/bluetooth-hci-socket` in the Node-RED user directory (prebuilt, no compiler), " +
        "or `npm rebuild @abandonware/bluetooth-hci-socket` in the Node-RED user directory " +
        "(needs build-essential, python3), " +
        "or `npm rebuild @bmskit/no-such-hci-socket` in the Node-RED user directory " +
        "(needs build-essential, python3); the adapter is retried by itself",
    );
  });

  it("a binary for another CPU or Node.js (a real dlopen failure) says so, not 'not built'", () => {
    const error = thrownBy(() => require(binaryForAnotherCpu()));
    assert.equal((error as NodeJS.ErrnoException).code, "ERR_DLOPEN_FAILED");
    const reason = classifyHciFailure(new NoHciSocketError([{ module: NOBLE_HCI_SOCKET, error }]), 0);
    assert.match(reason.message, /@abandonware\/bluetooth-hci-socket was built for another Node\.js or CPU/);
    assert.match(reason.message, /npm rebuild @abandonware\/bluetooth-hci-socket/);
  });

  it("no prebuilt binary for this platform (the prebuilt module's own loader) names the platform", () => {
    const error = thrownBy(() => require("node-gyp-build")(fs.mkdtempSync(path.join(os.tmpdir(), "hci-socket-"))));
    const reason = classifyHciFailure(new NoHciSocketError([{ module: PREBUILT_HCI_SOCKET, error }]), 0);
    assert.match(reason.message, new RegExp(`has no prebuilt binary for ${process.platform}-${process.arch}`));
    assert.match(reason.message, /npm rebuild @stoprocent\/bluetooth-hci-socket/);
  });
});

describe("classifyHciFailure: the socket module loaded, the adapter does not open", () => {
  it("names the module in use and why the ones before it did not load", () => {
    const choice = chooseHciSocket(["@bmskit/no-such-hci-socket", PREBUILT_HCI_SOCKET]);
    const reason = classifyHciFailure(errno("EAFNOSUPPORT", "Address family not supported by protocol"), 0, choice);
    assert.match(
      reason.message,
      /^Bluetooth adapter hci0 unavailable over @stoprocent\/bluetooth-hci-socket \(@bmskit\/no-such-hci-socket is not installed\): this machine\/kernel has no Bluetooth HCI support/,
    );
  });

  for (const [code, text] of [
    ["EPERM", "Operation not permitted"],
    ["EACCES", "Permission denied"],
  ] as const) {
    it(`${code} is unauthorized and names both setcap and the systemd capability`, () => {
      const reason = classifyHciFailure(errno(code, text), 1);
      assert.equal(reason.state, "unauthorized");
      assert.match(reason.message, /^Bluetooth adapter hci1 unavailable/);
      assert.match(reason.message, /setcap cap_net_raw\+eip/);
      assert.match(reason.message, /AmbientCapabilities=CAP_NET_RAW/);
    });
  }

  it("the prebuilt module's bind errors (its text only, no code) get the same fixes", () => {
    assert.equal(classifyHciFailure(new Error("Operation not permitted"), 0).state, "unauthorized");
    assert.match(classifyHciFailure(new Error("No such device"), 3).message, /hci3 not found/);
    assert.match(classifyHciFailure(new Error("Device or resource busy"), 0).message, /stop bluetoothd/);
  });

  it("EAFNOSUPPORT says the kernel has no Bluetooth HCI support", () => {
    const reason = classifyHciFailure(errno("EAFNOSUPPORT", "Address family not supported by protocol"), 0);
    assert.equal(reason.state, "unsupported");
    assert.match(reason.message, /no Bluetooth HCI support/);
  });

  it("ENODEV names the missing hciN and how to list adapters", () => {
    const reason = classifyHciFailure(errno("ENODEV", "No such device"), 2);
    assert.match(reason.message, /hci2 not found/);
    assert.match(reason.message, /hciconfig/);
    assert.match(reason.message, /btmgmt info/);
  });

  it("EBUSY points at bluetoothd or a second adapter", () => {
    const reason = classifyHciFailure(errno("EBUSY", "Device or resource busy"), 0);
    assert.match(reason.message, /stop bluetoothd/);
    assert.match(reason.message, /second adapter/);
  });

  it("noble's own 'Unsupported platform' says raw HCI is Linux only", () => {
    assert.match(classifyHciFailure(new Error("Unsupported platform"), 0).message, /only supported on Linux/);
  });

  it("anything else keeps the original text", () => {
    assert.equal(
      classifyHciFailure(new Error("something odd"), 0).message,
      "Bluetooth adapter hci0 unavailable: something odd",
    );
  });
});

describe("classifyHciState", () => {
  it("turns noble's unauthorized and unsupported states into fixes and leaves ordinary states alone", () => {
    assert.match(classifyHciState("unauthorized", 0, undefined)?.message ?? "", /setcap/);
    assert.match(classifyHciState("unsupported", 0, undefined)?.message ?? "", /does not support Bluetooth Low Energy/);
    assert.equal(classifyHciState("poweredOff", 0, undefined), undefined);
    assert.equal(classifyHciState("poweredOn", 0, undefined), undefined);
  });
});
