import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linearTrend, mean, median, percentile } from "../../bench/harness/statistics";

describe("bench statistics", () => {
  it("takes the median of odd and even sample counts without reordering the input", () => {
    const samples = [5, 1, 3];
    assert.equal(median(samples), 3);
    assert.deepEqual(samples, [5, 1, 3]);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it("interpolates percentiles between ranks", () => {
    const samples = Array.from({ length: 101 }, (_, i) => i);
    assert.equal(percentile(samples, 95), 95);
    assert.equal(percentile([10, 20], 95), 19.5);
    assert.equal(percentile([7], 95), 7);
  });

  it("refuses empty samples instead of inventing a figure", () => {
    assert.throws(() => median([]), RangeError);
    assert.throws(() => mean([]), RangeError);
  });

  it("finds a steady rise and no trend in flat or noisy series", () => {
    const xs = [0, 1, 2, 3, 4];
    const rising = linearTrend(xs, [10, 12, 14, 16, 18]);
    assert.equal(rising.slope, 2);
    assert.equal(rising.rSquared, 1);
    assert.deepEqual(linearTrend(xs, [7, 7, 7, 7, 7]), { slope: 0, rSquared: 0 });
    const noisy = linearTrend(xs, [10, 14, 9, 13, 10]);
    assert.ok(noisy.rSquared < 0.2);
  });
});
