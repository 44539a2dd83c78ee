import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BmsError } from "../../src/errors";
import { adapterKey } from "../../src/nodes/adapter-radio";
import { parseAdapterSettings } from "../../src/nodes/adapter-settings";

describe("parseAdapterSettings", () => {
  it("fills blanks with the documented defaults (hci0, 60 s idle, 5 links)", () => {
    const { adapter, options } = parseAdapterSettings({});
    assert.deepEqual(adapter, { transport: "hci", hciDevice: 0 });
    assert.deepEqual(options, {
      idleTimeoutMs: 60_000,
      keepOpen: false,
      sweepIntervalMs: 10_000,
      connectTimeoutMs: 15_000,
      commandTimeoutMs: 3_000,
      maxLinks: 5,
    });
  });

  it("reads the simulator settings, accepting numbers typed as strings", () => {
    const { adapter, options } = parseAdapterSettings({
      transport: "simulator",
      simBatteries: "2",
      simCells: 16,
      simFaults: "flaky",
      simLatency: "instant",
      idleTimeout: "0",
      commandTimeout: "0.5",
      keepOpen: true,
    });
    assert.deepEqual(adapter, {
      transport: "simulator",
      simulator: { batteries: 2, cells: 16, faults: "flaky", latency: "instant" },
      inHost: false,
    });
    assert.equal(options.idleTimeoutMs, 0);
    assert.equal(options.commandTimeoutMs, 500);
    assert.equal(options.keepOpen, true);
  });

  it("puts the simulator in the adapter host process when simInHost is set", () => {
    for (const simInHost of [true, "true"]) {
      const { adapter } = parseAdapterSettings({ transport: "simulator", simInHost });
      assert.equal(adapter.transport === "simulator" && adapter.inHost, true);
    }
  });

  it("names every bad field in one INVALID_INPUT error", () => {
    assert.throws(
      () =>
        parseAdapterSettings({
          transport: "usb",
          maxLinks: 0,
          connectTimeout: 121,
          sweepInterval: "x",
          hciDevice: 1.5,
        }),
      (err: unknown) => {
        assert.ok(err instanceof BmsError);
        assert.equal(err.code, "INVALID_INPUT");
        for (const field of ["transport", "maxLinks", "connectTimeout", "sweepInterval", "hciDevice"]) {
          assert.match(err.message, new RegExp(field));
        }
        return true;
      },
    );
  });

  it("takes a module password for the simulator: blank for none, else exactly 6 printable ASCII characters", () => {
    const simulator = (simPassword: unknown) => {
      const { adapter } = parseAdapterSettings({ transport: "simulator", simPassword });
      return adapter.transport === "simulator" ? adapter.simulator : undefined;
    };
    assert.equal(simulator("123456")?.password, "123456");
    assert.equal(simulator("Ab !~z")?.password, "Ab !~z");
    for (const blank of ["", undefined, null]) assert.equal(simulator(blank)?.password, undefined, String(blank));
    for (const bad of ["12345", "1234567", "12345é", 123456]) {
      assert.throws(() => simulator(bad), /simPassword/, String(bad));
    }
  });

  it("gives adapters that differ only in the module password their own simulated world", () => {
    const key = (simPassword: string) =>
      adapterKey(parseAdapterSettings({ transport: "simulator", simPassword }).adapter);
    assert.notEqual(key("123456"), key(""));
    assert.notEqual(key("123456"), key("654321"));
  });

  it("checks the simulator fields only when the simulator is chosen", () => {
    assert.doesNotThrow(() => parseAdapterSettings({ transport: "hci", simCells: 3, simPassword: "bad" }));
    assert.throws(() => parseAdapterSettings({ transport: "simulator", simCells: 3 }), /simCells/);
  });

  it("refuses a negative idle timeout and an unknown fault profile", () => {
    assert.throws(() => parseAdapterSettings({ idleTimeout: -1 }), /idleTimeout/);
    assert.throws(() => parseAdapterSettings({ transport: "simulator", simFaults: "evil" }), /simFaults/);
  });
});
