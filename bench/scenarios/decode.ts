import { decodeBasicInfo, decodeCellVoltages, FrameAssembler, Register } from "../../src/protocol";
import { timedRounds } from "../harness/timed-rounds";
import { basicInfoFrame16, cellVoltagesFrame16, toNotifications } from "./decode-frames";

export interface DecodeFigures {
  framesPerS: number;
  frames: number;
  seconds: number;
}

/**
 * Frames per second through the whole receive path of one poll: the 16-cell 0x03 + 0x04 pair, fed in 20-byte
 * notifications through one FrameAssembler (as a link does) and decoded. Real time: this is CPU work.
 */
export function benchDecode(budgetMs = 2000): DecodeFigures {
  const chunks = [...toNotifications(basicInfoFrame16()), ...toNotifications(cellVoltagesFrame16())];
  const assembler = new FrameAssembler();
  let checksum = 0;
  const runPairs = (pairs: number): number => {
    let frames = 0;
    for (let n = 0; n < pairs; n++) {
      for (const chunk of chunks) {
        for (const frame of assembler.push(chunk)) {
          // Use every decoded value that varies, so the work cannot be optimised away.
          if (frame.register === Register.BasicInfo) checksum += decodeBasicInfo(frame).cellCount;
          else checksum += decodeCellVoltages(frame).length;
          frames++;
        }
      }
    }
    return frames;
  };
  if (runPairs(1) !== 2) throw new Error("decode bench: the frame pair did not decode to two frames");
  let pairsRun = 0;
  let framesOut = 0;
  const { rounds, seconds } = timedRounds((pairs) => {
    framesOut += runPairs(pairs);
    pairsRun += pairs;
  }, budgetMs);
  if (checksum === 0) throw new Error("decode bench: nothing decoded");
  // The figure counts two frames per timed pair: true only if every pair, warm-up included, gave its two frames.
  if (framesOut !== 2 * pairsRun) throw new Error(`decode bench: ${framesOut} frames from ${pairsRun} pairs`);
  const frames = 2 * rounds;
  return { framesPerS: frames / seconds, frames, seconds };
}
