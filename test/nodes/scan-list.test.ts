import assert from "node:assert/strict";
import { test } from "node:test";
import { pickerList } from "../../src/nodes/scan-list";
import type { ScanResult } from "../../src/pool/types";

const heard = (address: string, rssi: number): ScanResult => ({
  address,
  name: "xiaoxiang BMS",
  rssi,
  recognised: [{ by: "service", service: "ff00" }],
  linked: false,
});

test("pickerList: heard batteries by signal, then linked ones, then configured ones not heard; ties by address", () => {
  const linked: ScanResult = {
    address: "AA:BB:CC:00:00:05",
    name: null,
    rssi: null,
    recognised: [{ by: "link" }],
    linked: true,
  };
  const list = pickerList(
    [heard("AA:BB:CC:00:00:02", -70), linked, heard("AA:BB:CC:00:00:03", -50), heard("AA:BB:CC:00:00:01", -70)],
    ["AA:BB:CC:00:00:09", "AA:BB:CC:00:00:02", "AA:BB:CC:00:00:05", "AA:BB:CC:00:00:08"],
  );
  assert.deepEqual(
    list.map((entry) => [entry.address, entry.configured]),
    [
      ["AA:BB:CC:00:00:03", false],
      ["AA:BB:CC:00:00:01", false],
      ["AA:BB:CC:00:00:02", true],
      ["AA:BB:CC:00:00:05", true],
      ["AA:BB:CC:00:00:08", true],
      ["AA:BB:CC:00:00:09", true],
    ],
  );
  assert.deepEqual(list.at(-1), {
    address: "AA:BB:CC:00:00:09",
    name: null,
    rssi: null,
    recognised: [],
    linked: false,
    configured: true,
  });
  assert.deepEqual(pickerList([], []), []);
});
