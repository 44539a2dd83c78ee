import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SimWorld, simAddress } from "../../src/sim";
import {
  basicInfoFields,
  EXIT_FACTORY,
  exchange,
  frameIsValid,
  framesOf,
  MOS_CHARGE_OFF,
  MOS_RELEASE,
  openLink,
  READ_BASIC,
  READ_CELLS,
  READ_VERSION,
  settle,
  simulatorPerTest,
} from "./sim-harness";

describe("simulator: a BMS conversation through the real noble", () => {
  const sim = simulatorPerTest();

  it("answers 0x03 in 20-byte notifications that reassemble into the frame the battery state implies", async () => {
    const noble = await sim.start({ batteries: 1, cells: 4, latency: "realistic" });
    const link = await openLink(sim.clock, noble, 1);
    const battery = sim.bindings.battery(simAddress(1));
    assert.ok(battery);
    battery.setCurrent(-5);
    const chunks = await exchange(sim.clock, link, READ_BASIC);
    assert.deepEqual(
      chunks.map((c) => c.length),
      [20, 16],
      "36-byte frame (4 cells, 3 NTC) as 20 + 16",
    );
    const [frame] = framesOf(chunks);
    assert.ok(frame && frameIsValid(frame));
    const state = battery.state();
    const fields = basicInfoFields(frame);
    assert.equal(fields.cells, 4);
    assert.equal(fields.ntc, 3);
    assert.equal(fields.current, -5);
    assert.equal(fields.soc, Math.round(state.soc));
    assert.ok(Math.abs(fields.voltage - state.voltage) < 0.011, `${fields.voltage} vs ${state.voltage}`);
    assert.equal(fields.fet, 0b11);
    assert.equal(fields.protection, 0);
  });

  it("answers 0x04 with the cell voltages and 0x05 with the model string", async () => {
    const noble = await sim.start({ batteries: 1, cells: 16, latency: "realistic" });
    const link = await openLink(sim.clock, noble, 1);
    const battery = sim.bindings.battery(simAddress(1));
    assert.ok(battery);
    battery.setCurrent(0);
    const [cells] = framesOf(await exchange(sim.clock, link, READ_CELLS));
    assert.ok(cells && frameIsValid(cells));
    assert.equal(cells[3], 32);
    const mv = Array.from({ length: 16 }, (_, i) => cells.readUInt16BE(4 + 2 * i) / 1000);
    assert.deepEqual(mv, battery.cellVoltages);
    const spread = Math.max(...mv) - Math.min(...mv);
    assert.ok(spread > 0 && spread < 0.05, `small fixed spread: ${spread}`);
    const [version] = framesOf(await exchange(sim.clock, link, READ_VERSION));
    assert.ok(version && frameIsValid(version));
    assert.equal(version.subarray(4, 4 + (version[3] as number)).toString("ascii"), battery.spec.model);
  });

  it("a MOS write is acked, locks the FET with bit 12 until another 0xE1 releases it; exit factory is acked", async () => {
    const noble = await sim.start({ batteries: 1, cells: 4, latency: "realistic" });
    const link = await openLink(sim.clock, noble, 1);
    sim.bindings.battery(simAddress(1))?.setCurrent(3);

    assert.deepEqual(
      framesOf(await exchange(sim.clock, link, MOS_CHARGE_OFF)).map((f) => f.toString("hex")),
      ["dde10000000077"],
    );
    assert.deepEqual(
      framesOf(await exchange(sim.clock, link, EXIT_FACTORY)).map((f) => f.toString("hex")),
      ["dd010000000077"],
    );
    for (let poll = 0; poll < 3; poll++) {
      const [frame] = framesOf(await exchange(sim.clock, link, READ_BASIC, 60_000));
      assert.ok(frame);
      const fields = basicInfoFields(frame);
      assert.equal(fields.fet, 0b10, "charge FET off, discharge on");
      assert.equal(fields.protection, 0x1000);
      assert.equal(fields.current, 0, "a locked charge FET blocks charging current");
    }
    assert.deepEqual(sim.bindings.batteryState(simAddress(1))?.mosLock, { charge: true, discharge: false });
    await exchange(sim.clock, link, MOS_RELEASE);
    const [after] = framesOf(await exchange(sim.clock, link, READ_BASIC));
    assert.ok(after);
    assert.equal(basicInfoFields(after).fet, 0b11);
    assert.equal(basicInfoFields(after).protection, 0);
  });

  it("answers unknown registers with status 0x80 and ignores a request with a bad checksum", async () => {
    const noble = await sim.start({ batteries: 1, cells: 4, latency: "instant" });
    const link = await openLink(sim.clock, noble, 1);
    assert.deepEqual(
      framesOf(await exchange(sim.clock, link, "dda5aa00ff5677")).map((f) => f.toString("hex")),
      ["ddaa8000ff8077"],
    );
    assert.deepEqual(await exchange(sim.clock, link, "dda50300fffe77"), []);
    assert.equal(sim.bindings.stats().ignoredRequests, 1);
  });

  it("battery 3 of a default world speaks fff0/fff1/fff2 and carries 1 NTC plus the V11 trailer", async () => {
    const noble = await sim.start({ batteries: 3, cells: 4, latency: "instant" });
    const link = await openLink(sim.clock, noble, 3, "fff0");
    assert.equal(link.rx.uuid, "fff1");
    assert.equal(link.tx.uuid, "fff2");
    const [frame] = framesOf(await exchange(sim.clock, link, READ_BASIC));
    assert.ok(frame && frameIsValid(frame));
    assert.equal(frame[3], 0x22);
    assert.equal(basicInfoFields(frame).ntc, 1);
    assert.equal(basicInfoFields(frame).extraBytes, 9);
  });

  it("an old dongle's ff02 is write-with-response and acknowledges each write with the write event", async () => {
    const world = new SimWorld({ batteries: 1, cells: 4, specs: [{ writeWithResponse: true }] });
    const noble = await sim.start({ world, latency: "realistic" });
    const link = await openLink(sim.clock, noble, 1);
    assert.deepEqual(link.tx.properties, ["read", "write"]);
    const [frame] = framesOf(await exchange(sim.clock, link, READ_BASIC));
    assert.ok(frame && frameIsValid(frame));
  });

  it("disconnect() emits disconnect 0x16, dropLink() 0x08, and the battery advertises again", async () => {
    const noble = await sim.start({ batteries: 1, cells: 4, latency: "realistic" });
    const link = await openLink(sim.clock, noble, 1);
    const reason = new Promise((resolve) => link.peripheral.once("disconnect", resolve));
    await settle(sim.clock, link.peripheral.disconnectAsync());
    assert.equal(await reason, 0x16);
    assert.equal(sim.bindings.battery(simAddress(1))?.heldBy, null);

    const again = await openLink(sim.clock, noble, 1);
    const dropped = new Promise((resolve) => again.peripheral.once("disconnect", resolve));
    assert.equal(sim.bindings.dropLink(simAddress(1)), true);
    assert.equal(await settle(sim.clock, dropped), 0x08);
    assert.equal(sim.bindings.batteryState(simAddress(1))?.advertising, true);
    assert.equal(sim.bindings.stats().drops, 1);
  });
});
