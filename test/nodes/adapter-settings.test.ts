import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeHostArgument } from "../../src/ble/host/ipc-protocol";
import { BmsError } from "../../src/errors";
import { adapterKey } from "../../src/nodes/adapter-radio";
import { parseAdapterSettings } from "../../src/nodes/adapter-settings";

describe("parseAdapterSettings", () => {
  it("fills blanks with the documented defaults (hci0, 60 s idle, 5 links)", () => {
    const { adapter, options, passwords } = parseAdapterSettings({});
    assert.deepEqual(adapter, { transport: "hci", hciDevice: 0 });
    const { modulePassword, ...timing } = options;
    assert.equal(modulePassword?.("AA:BB:CC:00:00:01"), undefined);
    assert.equal(passwords, "no module password");
    assert.deepEqual(timing, {
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

describe("the module passwords (the bms-adapter credential)", () => {
  const A1 = "AA:BB:CC:00:00:01";
  const A2 = "AA:BB:CC:00:00:02";
  const read = (password: unknown) => parseAdapterSettings({}, { password });
  const lookup = (password: unknown) => (address: string) => read(password).options.modulePassword?.(address);
  /** The problems of a refused credential, as the INVALID_INPUT error lists them. */
  const problems = (password: unknown): string[] => {
    try {
      read(password);
    } catch (error) {
      assert.ok(error instanceof BmsError && error.code === "INVALID_INPUT");
      return error.details?.problems as string[];
    }
    assert.fail(`${JSON.stringify(password)} was accepted`);
  };

  it("takes none when blank: no battery gets a password", () => {
    for (const blank of [undefined, null, "", "  \n "]) {
      assert.equal(lookup(blank)(A1), undefined, JSON.stringify(blank));
      assert.equal(read(blank).passwords, "no module password");
    }
  });

  it("takes one password for every battery, exactly as typed (blanks, commas and = are password characters)", () => {
    for (const password of ["123456", "Ab !~z", " 2,4=6", "12345 "]) {
      assert.equal(lookup(password)(A1), password);
      assert.equal(lookup(password)(A2), password);
      assert.equal(read(password).passwords, "a module password for every battery");
    }
    // A line break or blanks typed around a lone password are not part of it.
    assert.equal(lookup("123456\n")(A1), "123456");
    assert.equal(lookup("  654321  ")(A1), "654321");
  });

  it("takes per-battery entries ADDRESS=PASSWORD, separated by commas or line breaks, in any address spelling", () => {
    // Blanks around an entry, its address and its password go; "=" and blanks inside a password stay.
    const entries = "aa:bb:cc:00:00:01=123456,\r\n  AA-BB-CC-00-00-02 = ab=d f \n\n";
    assert.deepEqual([lookup(entries)(A1), lookup(entries)(A2)], ["123456", "ab=d f"]);
    // Only a comma or a line break ends an entry: "ab=d" and "f" would be two entries, so this one is refused.
    assert.deepEqual(problems("AA:BB:CC:00:00:01=ab,def"), [
      "password entry 1 (AA:BB:CC:00:00:01): the password must be exactly 6 printable ASCII characters",
      "password entry 2 is not ADDRESS=PASSWORD (one password for every battery stands alone)",
    ]);
    const each = lookup("AA:BB:CC:00:00:01=123456\naabbcc000002=654321");
    assert.deepEqual([each(A1), each(A2), each("AA:BB:CC:00:00:03")], ["123456", "654321", undefined]);
    assert.equal(read("AA:BB:CC:00:00:01=123456, aabbcc000002=654321").passwords, "module passwords for 2 batteries");
  });

  it("refuses a bad credential with INVALID_INPUT naming each problem by entry and address, never quoting a password", () => {
    const secret = "s3cr3t";
    const cases: Array<[string, string[]]> = [
      [
        "12345",
        [
          "password must be exactly 6 printable ASCII characters, or entries ADDRESS=PASSWORD separated by commas or line breaks",
        ],
      ],
      [
        "1234567",
        [
          "password must be exactly 6 printable ASCII characters, or entries ADDRESS=PASSWORD separated by commas or line breaks",
        ],
      ],
      [
        `AA:BB:CC:00:00:01=${secret}x`,
        ["password entry 1 (AA:BB:CC:00:00:01): the password must be exactly 6 printable ASCII characters"],
      ],
      [
        `${secret}=AA:BB:CC:00:00:01`,
        ['password entry 1: the part before "=" is not a Bluetooth address like AA:BB:CC:DD:EE:FF'],
      ],
      [
        `AA:BB:CC:00:00:01=${secret}, ${secret}`,
        ["password entry 2 is not ADDRESS=PASSWORD (one password for every battery stands alone)"],
      ],
      [
        `AA:BB:CC:00:00:01=${secret}\naabbcc000001=${secret}`,
        ["password entry 2: AA:BB:CC:00:00:01 has a password already"],
      ],
      [
        `AA:BB:CC:00:00:01=${secret.slice(0, 5)}é`,
        ["password entry 1 (AA:BB:CC:00:00:01): the password must be exactly 6 printable ASCII characters"],
      ],
    ];
    for (const [credential, expected] of cases) {
      assert.deepEqual(problems(credential), expected, credential);
      try {
        read(credential);
      } catch (error) {
        const text = `${(error as Error).message} ${JSON.stringify((error as BmsError).details)}`;
        assert.ok(!text.includes(secret) && !text.includes(secret.slice(0, 5)), text);
      }
    }
    assert.deepEqual(problems(123456), ["password must be text"]);
  });

  it("keeps the passwords out of the adapter choice: an adapter host child's argument never holds one", () => {
    for (const transport of ["hci", "simulator"]) {
      const { adapter } = parseAdapterSettings({ transport, simInHost: true }, { password: "Zq7#x!" });
      assert.ok(!encodeHostArgument(adapter).includes("Zq7#x!"), transport);
      assert.ok(!adapterKey(adapter).includes("Zq7#x!"), transport);
    }
  });
});
