import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JBD_ADDRESS_PREFIXES, recogniseJbd } from "../../src/ble/jbd-recognition";

const STRANGER = "11:22:33:44:55:66";

describe("recogniseJbd: why an advertisement is taken for a JBD battery (PROTOCOL 1.4)", () => {
  it("takes the JBD services in any spelling noble or a stack reports them", () => {
    for (const uuid of ["ff00", "FF00", "0000ff00-0000-1000-8000-00805f9b34fb"]) {
      const evidence = recogniseJbd({ address: STRANGER, name: "Boat house", serviceUuids: ["180f", uuid] });
      assert.deepEqual(evidence, [{ by: "service", service: "ff00" }], uuid);
    }
    assert.deepEqual(recogniseJbd({ address: STRANGER, name: null, serviceUuids: ["fff0"] }), [
      { by: "service", service: "fff0" },
    ]);
  });

  it("takes every known module OUI, in any case and with dashes, by its prefix", () => {
    for (const prefix of JBD_ADDRESS_PREFIXES) {
      for (const address of [`${prefix}:12:34:56`, `${prefix}:ab:cd:ef`.toLowerCase(), `${prefix}-00-00-01`]) {
        assert.deepEqual(recogniseJbd({ address, name: "", serviceUuids: [] }), [{ by: "address", prefix }], address);
      }
    }
    // A prefix is the first three bytes, not any three bytes.
    assert.deepEqual(recogniseJbd({ address: "12:A4:C1:37:00:01", name: null, serviceUuids: [] }), []);
  });

  it("takes the names seen on JBD packs, and says which pattern matched", () => {
    const named: [string, string][] = [
      ["xiaoxiang BMS", "xiaoxiang…"],
      ["JBD-SP16S020-L8S", "JBD-…"],
      ["DP04S007L4S100A", "SP04S005… (model code)"],
      ["SP17S005P17S120A", "SP04S005… (model code)"],
      ["SP08S025L8S200A", "SP04S005… (model code)"],
      ["AP21S002-L21S", "SP04S005… (model code)"],
      ["DWFF12V100", "DWF…"],
      ["LSG-12100", "LSG-…"],
      ["N-12345BL100", "N-…BL…"],
      ["SX100Ah", "SX1… / SX60… (Supervolt)"],
      ["SX60-24", "SX1… / SX60… (Supervolt)"],
      ["SBL-12100", "SBL-…"],
      ["OGR-12200", "OGR-…"],
      ["TZ-H100", "TZ-H…"],
      ["GJ-12V200", "GJ-…"],
      ["LT40AH", "LT40AH"],
    ];
    for (const [name, pattern] of named) {
      assert.deepEqual(recogniseJbd({ address: STRANGER, name, serviceUuids: [] }), [{ by: "name", pattern }], name);
    }
  });

  it("takes nothing else: other devices, renamed packs without service or OUI, no name at all", () => {
    for (const name of ["Galaxy Buds2", "LE-Bose QC", "Boat house battery", "12345678", "SX2", "JBD", "", null]) {
      assert.deepEqual(recogniseJbd({ address: STRANGER, name, serviceUuids: ["180f", "fe9f"] }), [], String(name));
    }
  });

  it("lists every reason that holds, strongest first", () => {
    assert.deepEqual(recogniseJbd({ address: "A4:C1:38:00:00:01", name: "xiaoxiang BMS", serviceUuids: ["ff00"] }), [
      { by: "service", service: "ff00" },
      { by: "address", prefix: "A4:C1:38" },
      { by: "name", pattern: "xiaoxiang…" },
    ]);
  });
});
