import { FrameAssembler } from "../../src/protocol";
import { timedRounds } from "../harness/timed-rounds";
import { basicInfoFrame16, cellVoltagesFrame16, NOTIFICATION_BYTES, toNotifications } from "./decode-frames";

export interface FloodFigures {
  /** The healthy receive path: the 16-cell 0x03 + 0x04 pair in 20-byte notifications. */
  healthyBytesPerS: number;
  /** A broken peripheral sending nothing but 0xDD (each one a frame start byte, none a JBD header). */
  floodBytesPerS: number;
  /** DD 00 00 DD 00 00 …: every third byte starts a JBD header (status 0x00) announcing 228 bytes. */
  headerFloodBytesPerS: number;
}

/**
 * Bytes per second through FrameAssembler for a healthy stream and for two hostile ones, so a broken peripheral's
 * cost shows next to a healthy one's (issue 11 item 9). Real time: this is CPU work. Rejections are reported to a
 * callback, as the session's are.
 */
export function benchFlood(budgetMs = 1000): FloodFigures {
  const healthy = [...toNotifications(basicInfoFrame16()), ...toNotifications(cellVoltagesFrame16())];
  const flood = [new Uint8Array(NOTIFICATION_BYTES).fill(0xdd)];
  // 21 bytes, a multiple of the pattern's 3, so every chunk continues the same pattern.
  const headers = [Uint8Array.from({ length: NOTIFICATION_BYTES + 1 }, (_, i) => (i % 3 === 0 ? 0xdd : 0x00))];
  return {
    healthyBytesPerS: bytesPerSecond(healthy, budgetMs),
    floodBytesPerS: bytesPerSecond(flood, budgetMs),
    headerFloodBytesPerS: bytesPerSecond(headers, budgetMs),
  };
}

function bytesPerSecond(chunks: Uint8Array[], budgetMs: number): number {
  const rejected: unknown[] = [];
  const assembler = new FrameAssembler({ onReject: (error) => rejected.push(error) });
  const bytesPerRound = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const { rounds, seconds } = timedRounds((count) => {
    for (let n = 0; n < count; n++) for (const chunk of chunks) assembler.push(chunk);
  }, budgetMs);
  return (rounds * bytesPerRound) / seconds;
}
