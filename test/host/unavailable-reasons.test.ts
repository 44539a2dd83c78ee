import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyHciFailure, classifyHciState } from "../../src/ble/host/unavailable-reasons";

/** The shape of errors from the native addon: node::ErrnoException sets `code` and "CODE, text" as message. */
function errno(code: string, text: string): Error {
  return Object.assign(new Error(`${code}, ${text}`), { code });
}

function requireFailure(): unknown {
  try {
    require("../../node_modules/@abandonware/bluetooth-hci-socket/build/Release/not-here/bluetooth_hci_socket.node");
  } catch (error) {
    return error;
  }
  throw new Error("expected the require to fail");
}

describe("classifyHciFailure", () => {
  it("a missing native binding (a real MODULE_NOT_FOUND) says to rebuild it and which packages that needs", () => {
    const reason = classifyHciFailure(requireFailure(), 0);
    assert.equal(reason.state, "unsupported");
    assert.match(reason.message, /HCI binding is not built/);
    assert.match(reason.message, /npm rebuild @abandonware\/bluetooth-hci-socket/);
    assert.match(reason.message, /libbluetooth-dev/);
  });

  it("a binding built for another Node says to rebuild", () => {
    const error = Object.assign(
      new Error("was compiled against a different Node.js version using NODE_MODULE_VERSION 108"),
      {
        code: "ERR_DLOPEN_FAILED",
      },
    );
    assert.match(classifyHciFailure(error, 0).message, /another Node\.js.*npm rebuild/);
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
    assert.match(classifyHciState("unauthorized", 0)?.message ?? "", /setcap/);
    assert.match(classifyHciState("unsupported", 0)?.message ?? "", /does not support Bluetooth Low Energy/);
    assert.equal(classifyHciState("poweredOff", 0), undefined);
    assert.equal(classifyHciState("poweredOn", 0), undefined);
  });
});
