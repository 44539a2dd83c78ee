import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { BATTERY_1, exchange, type FlowNode, helper, OUR_NODES, simAdapter, tab } from "./flow-harness";

const BATTERIES = 4;

function flow(): FlowNode[] {
  return [
    tab,
    simAdapter("a1", BATTERIES),
    { id: "p1", type: "bms-poll", z: "f1", adapter: "a1", address: BATTERY_1, interval: 0, wires: [["out"]] },
    { id: "out", type: "helper", z: "f1" },
  ];
}

interface Found {
  address: string;
  name: string | null;
  rssi: number | null;
  jbd: boolean;
  linked: boolean;
}

describe("GET bms-adapter/scan", () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it("scans with settings from the query before any deploy", async () => {
    await helper.load(OUR_NODES, []);
    const res = await helper
      .request()
      .get("/bms-adapter/scan")
      .query({ transport: "simulator", simBatteries: BATTERIES, simCells: 4, simLatency: "instant", duration: 1 })
      .expect(200);
    const found = res.body as Found[];
    const addresses = found.map((f) => f.address).sort();
    assert.deepEqual(addresses, ["AA:BB:CC:00:00:01", "AA:BB:CC:00:00:02", "AA:BB:CC:00:00:03", "AA:BB:CC:00:00:04"]);
    for (const f of found) {
      assert.equal(f.jbd, true);
      assert.equal(f.linked, false);
      assert.equal(typeof f.rssi, "number");
    }
  });

  it("lists a battery the deployed adapter holds as linked", async () => {
    await helper.load(OUR_NODES, flow());
    await exchange("p1", {}, "out");
    const res = await helper.request().get("/bms-adapter/scan").query({ id: "a1", duration: 1 }).expect(200);
    const held = (res.body as Found[]).find((f) => f.address === BATTERY_1);
    assert.ok(held, "the held battery is listed although it does not advertise");
    assert.equal(held.linked, true);
  });

  it("answers 400 with INVALID_INPUT for bad settings or duration", async () => {
    await helper.load(OUR_NODES, []);
    const bad = await helper
      .request()
      .get("/bms-adapter/scan")
      .query({ transport: "simulator", simCells: 2 })
      .expect(400);
    assert.equal(bad.body.code, "INVALID_INPUT");
    await helper.request().get("/bms-adapter/scan").query({ transport: "simulator", duration: 60 }).expect(400);
  });
});
