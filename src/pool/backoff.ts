/**
 * Delay before the next connect attempt after `failures` consecutive failures: the first delay, doubling each
 * time, capped at the maximum (2 s, 4 s, 8 s ... 60 s with the defaults).
 */
export function backoffDelayMs(failures: number, initialMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 30);
  return Math.min(initialMs * 2 ** exponent, maxMs);
}
