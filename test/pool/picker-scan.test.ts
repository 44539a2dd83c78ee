import assert from "node:assert/strict";
import { test } from "node:test";
import { BleCentral } from "../../src/ble/ble-central";
import { ConnectionPool } from "../../src/pool/connection-pool";
import { SimulatedBindings, SimWorld, simAddress } from "../../src/sim";
import { installVirtualClock } from "../support/virtual-clock";

// The address picker's scan through the real noble over the simulator: it hears every device (no service filter)
// and keeps what the recognition rule takes for a JBD battery, whatever the pack is called.

const RENAMED = simAddress(1);
const BY_PREFIX = "A4:C1:37:12:34:56";
const BY_NAME = simAddress(3);
const STRANGER = "11:22:33:44:55:66";
const LINKED = simAddress(5);

test("the picker's scan lists JBD batteries by service, module address or name, with the reason, and no other device", async () => {
  const time = installVirtualClock();
  const world = new SimWorld({
    batteries: 5,
    cells: 4,
    specs: [
      // Renamed by its owner: no name pattern matches, but the module advertises ff00.
      { name: "Boat house" },
      // A module with a JBD OUI that leaves its service out of the advertisement, under a name of its own.
      { address: BY_PREFIX, name: "Camper", advertisesService: false },
      // The fff0 variant without its service in the advertisement, under a bare model code.
      { name: "DP04S007L4S100A", advertisesService: false },
      // Not recognisable at all: stands for the phones and headphones around.
      { address: STRANGER, name: "Kitchen scale", advertisesService: false },
    ],
  });
  const bindings = new SimulatedBindings({ world, latency: "realistic" });
  const pool = new ConnectionPool(new BleCentral(bindings));
  try {
    // Held by this pool, battery 5 stops advertising: it is listed from the link.
    await time.run(pool.poll(LINKED));
    const found = new Map((await time.run(pool.scan(2_000))).map((result) => [result.address, result]));

    assert.deepEqual([...found.keys()].sort(), [RENAMED, BY_NAME, LINKED, BY_PREFIX].sort());
    assert.deepEqual(found.get(RENAMED)?.recognised, [{ by: "service", service: "ff00" }]);
    assert.equal(found.get(RENAMED)?.name, "Boat house");
    assert.deepEqual(found.get(BY_PREFIX)?.recognised, [{ by: "address", prefix: "A4:C1:37" }]);
    assert.deepEqual(found.get(BY_NAME)?.recognised, [{ by: "name", pattern: "SP04S005… (model code)" }]);
    assert.deepEqual(found.get(LINKED)?.recognised, [{ by: "link" }]);
    assert.equal(found.get(LINKED)?.linked, true);
    for (const address of [RENAMED, BY_PREFIX, BY_NAME]) {
      assert.equal(found.get(address)?.linked, false, address);
      assert.equal(typeof found.get(address)?.rssi, "number", address);
    }

    // Finding a battery to connect keeps the service filter: the renamed one connects, by its service.
    assert.equal((await time.run(pool.poll(RENAMED))).address, RENAMED);
  } finally {
    await time.run(pool.close());
    bindings.dispose();
    world.dispose();
    time.uninstall();
  }
});
