import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { SimulatedBindings, SimWorld, simAddress } from "../../src/sim";
import { type Clock, installClock, nobleOver, openLink, poweredOn, scan, settle } from "./sim-harness";

describe("simulator: adapter and scanning through the real noble", () => {
  let clock: Clock;
  const created: SimulatedBindings[] = [];
  const bindings = (options: ConstructorParameters<typeof SimulatedBindings>[0]) => {
    const b = new SimulatedBindings(options);
    created.push(b);
    return b;
  };
  beforeEach(() => {
    clock = installClock();
  });
  afterEach(() => {
    for (const b of created.splice(0)) b.dispose();
    clock.uninstall();
  });

  it("addresses batteries AA:BB:CC:00:00:NN with lower-case ids", () => {
    assert.equal(simAddress(1), "AA:BB:CC:00:00:01");
    assert.equal(simAddress(26), "AA:BB:CC:00:00:1A");
    const b = bindings({ batteries: 2, cells: 4 });
    assert.equal(b.addressToId(simAddress(26)), "aabbcc00001a");
    assert.throws(() => new SimWorld({ batteries: 100, cells: 4 }), RangeError);
    assert.throws(() => new SimWorld({ batteries: 1, cells: 3 }), RangeError);
  });

  it("reports poweredOn after init and finds ff00 batteries by service filter, fff0 only by its own", async () => {
    const b = bindings({ batteries: 3, cells: 4, latency: "realistic" });
    const noble = nobleOver(b);
    await poweredOn(clock, noble);
    assert.equal(b.state, "poweredOn");

    const ff00 = await scan(clock, noble, ["ff00"]);
    assert.deepEqual(ff00.map((p) => p.id).sort(), ["aabbcc000001", "aabbcc000002"]);
    assert.equal(ff00[0]?.advertisement.serviceUuids?.[0], "ff00");
    assert.match(ff00.map((p) => p.advertisement.localName).join(" "), /xiaoxiang BMS/);

    const fff0 = await scan(clock, noble, ["0000fff0-0000-1000-8000-00805f9b34fb"]);
    assert.deepEqual(
      fff0.map((p) => p.id),
      ["aabbcc000003"],
    );
    assert.deepEqual(await scan(clock, noble, ["abcd"]), []);
    assert.equal((await scan(clock, noble, [])).length, 3);
    assert.equal(b.stats().scans, 4, "each scan is counted");
  });

  it("a battery may have another address and leave its service out of the advertisement, as some modules do", async () => {
    const world = new SimWorld({
      batteries: 2,
      cells: 4,
      specs: [undefined, { address: "A4:C1:37:00:00:09", name: "Camper", advertisesService: false }],
    });
    const b = bindings({ world, latency: "instant" });
    const noble = nobleOver(b);
    await poweredOn(clock, noble);
    assert.deepEqual(
      (await scan(clock, noble, ["ff00"])).map((p) => p.id),
      ["aabbcc000001"],
      "a service-filtered scan does not hear it",
    );
    const heard = (await scan(clock, noble, [])).find((p) => p.id === "a4c137000009");
    assert.ok(heard, "an unfiltered scan hears it");
    assert.equal(heard.address, "a4:c1:37:00:00:09");
    assert.equal(heard.advertisement.localName, "Camper");
    assert.deepEqual(heard.advertisement.serviceUuids, []);
    assert.equal(world.battery("A4:C1:37:00:00:09")?.state().name, "Camper");
    world.dispose();
    assert.throws(
      () => new SimWorld({ batteries: 2, cells: 4, specs: [{ address: simAddress(2) }] }),
      /two simulated batteries have the address AA:BB:CC:00:00:02/,
    );
  });

  it("re-advertises every 100-300 ms while scanning (seen with allowDuplicates) and reports once without", async () => {
    const b = bindings({ batteries: 1, cells: 4, latency: "realistic" });
    const noble = nobleOver(b);
    await poweredOn(clock, noble);
    const rssis = new Set<number>();
    noble.on("discover", (p: { rssi: number }) => rssis.add(p.rssi));
    const duplicates = await scan(clock, noble, ["ff00"], 2000, true);
    assert.ok(duplicates.length >= 6 && duplicates.length <= 20, `adverts in 2 s: ${duplicates.length}`);
    assert.ok(rssis.size > 1, "RSSI carries a little noise");
    assert.equal((await scan(clock, noble, ["ff00"], 2000, false)).length, 1);
  });

  it("a battery connected to one central stops advertising and refuses another central sharing the world", async () => {
    const world = new SimWorld({ batteries: 2, cells: 4 });
    const a = bindings({ world, latency: "realistic" });
    const other = bindings({ world, latency: "realistic" });
    const nobleA = nobleOver(a);
    const nobleB = nobleOver(other);
    await poweredOn(clock, nobleA);
    await poweredOn(clock, nobleB);

    const seenByB = await scan(clock, nobleB, ["ff00"]);
    await openLink(clock, nobleA, 1);
    assert.equal(world.battery(simAddress(1))?.heldBy, a.centralId);

    assert.deepEqual(
      (await scan(clock, nobleB, ["ff00"])).map((p) => p.id),
      ["aabbcc000002"],
    );
    const stale = seenByB.find((p) => p.id === "aabbcc000001");
    assert.ok(stale, "B had seen battery 1 before A connected");
    await assert.rejects(settle(clock, stale.connectAsync()), /0x3e/);
    assert.equal(other.stats().refusedBusy, 1);
  });

  it("occupy() hides a battery as the phone app does, vacate() (or the timeout) brings it back", async () => {
    const b = bindings({ batteries: 2, cells: 4, latency: "instant" });
    const noble = nobleOver(b);
    await poweredOn(clock, noble);
    const battery = b.battery(simAddress(2));
    assert.ok(battery);
    battery.occupy(60_000);
    assert.deepEqual(
      (await scan(clock, noble, ["ff00"])).map((p) => p.id),
      ["aabbcc000001"],
    );
    await clock.tickAsync(60_000);
    assert.equal(battery.heldBy, null);
    assert.equal((await scan(clock, noble, ["ff00"])).length, 2);
    battery.occupy();
    assert.equal(b.batteryState(simAddress(2))?.advertising, false);
    battery.vacate();
    assert.equal(b.batteryState(simAddress(2))?.advertising, true);
  });

  it("powerOff: noble sees only stateChange, links vanish without disconnect events; powerOn comes back", async () => {
    const b = bindings({ batteries: 1, cells: 4, latency: "instant" });
    const noble = nobleOver(b);
    await poweredOn(clock, noble);
    const link = await openLink(clock, noble, 1);
    let disconnects = 0;
    link.peripheral.once("disconnect", () => {
      disconnects += 1;
    });
    const states: string[] = [];
    noble.on("stateChange", (s: string) => states.push(s));
    b.powerOff();
    await clock.tickAsync(1000);
    assert.deepEqual(states, ["poweredOff"]);
    assert.equal(disconnects, 0);
    assert.equal(b.battery(simAddress(1))?.heldBy, null, "the battery is free for others");
    b.powerOn();
    await clock.tickAsync(10);
    assert.deepEqual(states, ["poweredOff", "poweredOn"]);
    assert.equal((await scan(clock, noble, ["ff00"])).length, 1);
  });
});
