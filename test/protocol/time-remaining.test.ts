import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { timeRemainingSeconds } from "../../src/protocol";

describe("timeRemainingSeconds", () => {
  it("counts down to empty while discharging", () => {
    assert.equal(timeRemainingSeconds(-10, 50, 100), 5 * 3600, "50 Ah at 10 A");
  });

  it("counts up to full while charging", () => {
    assert.equal(timeRemainingSeconds(20, 60, 100), 2 * 3600, "40 Ah of room at 20 A");
  });

  it("is null while the pack rests within 1 % of its capacity per hour", () => {
    assert.equal(timeRemainingSeconds(1, 50, 100), null, "1 A is C/100 on 100 Ah");
    assert.equal(timeRemainingSeconds(-0.5, 50, 100), null);
    assert.equal(timeRemainingSeconds(0, 50, 100), null);
    assert.equal(timeRemainingSeconds(-1.01, 50, 100), Math.round((50 / 1.01) * 3600), "just above the band");
  });

  it("is null when the capacity is unknown or a value is not a number", () => {
    assert.equal(timeRemainingSeconds(-5, 50, 0), null);
    assert.equal(timeRemainingSeconds(Number.NaN, 50, 100), null);
    assert.equal(timeRemainingSeconds(-5, Number.NaN, 100), null);
  });

  it("never goes below zero when residual exceeds nominal (a BMS that has not learnt its capacity)", () => {
    assert.equal(timeRemainingSeconds(10, 120, 100), 0);
    assert.equal(timeRemainingSeconds(-10, 0, 100), 0);
  });
});
