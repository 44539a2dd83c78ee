import type { LatencyModelName } from "./options";
import type { SeededRandom } from "./random";

/** A [min, max] range in milliseconds, drawn uniformly. */
export type MsRange = readonly [number, number];

/**
 * How long the simulated radio takes for each step, in milliseconds. Plain numbers so a model can cross a process
 * boundary. A zero range means "next macrotask" (setImmediate), never setTimeout(0), which clamps to 1 ms.
 */
export interface LatencyModel {
  /** From startScanning to a battery's first advertisement. */
  scanToAdvert: MsRange;
  /** Between two advertisements of one battery while scanning; [0, 0] = advertise once per scan, then only when a battery becomes free. */
  advertInterval: MsRange;
  /** connect() to the connect event (LE Create Connection plus the link layer handshake). */
  connect: MsRange;
  /** discoverServices() to servicesDiscover. */
  discoverServices: MsRange;
  /** discoverCharacteristics() to characteristicsDiscover, per service. */
  discoverCharacteristics: MsRange;
  /** CCCD write (subscribe) to the notify event. */
  subscribe: MsRange;
  /** A plain GATT read/write round trip (write acks, descriptor reads). */
  gattRoundTrip: MsRange;
  /** Request write to the first notification of the reply, in the common case. */
  replyTypical: MsRange;
  /** The full observed reply range; `replyOutlier` of the replies are drawn from it instead of `replyTypical`. */
  replyRange: MsRange;
  replyOutlier: number;
  /** Between two 20-byte notifications of one reply. */
  fragmentGap: MsRange;
  /** disconnect() to the disconnect event. */
  disconnect: MsRange;
  /** restartAdapter() to poweredOn again: about as long as the adapter host takes to replace its child. */
  adapterRestart: MsRange;
}

/**
 * `realistic` follows PROTOCOL.md 1.5: connect plus discovery about 2 s (here connect 1.2-3.0 s, discovery about
 * 0.9 s: 600-750 ms for services and 100-150 ms per characteristic list), subscribe about 30 ms, replies 18-106 ms and
 * typically 40-90 ms, fragments 1-3 ms apart, adverts every 100-300 ms.
 * `instant` does every step on the next macrotask, for throughput work.
 */
export const LATENCY_MODELS: Record<LatencyModelName, LatencyModel> = {
  realistic: {
    scanToAdvert: [100, 300],
    advertInterval: [100, 300],
    connect: [1200, 3000],
    discoverServices: [600, 750],
    discoverCharacteristics: [100, 150],
    subscribe: [25, 35],
    gattRoundTrip: [20, 40],
    replyTypical: [40, 90],
    replyRange: [18, 106],
    replyOutlier: 0.2,
    fragmentGap: [1, 3],
    disconnect: [40, 80],
    adapterRestart: [1200, 1500],
  },
  instant: {
    scanToAdvert: [0, 0],
    advertInterval: [0, 0],
    connect: [0, 0],
    discoverServices: [0, 0],
    discoverCharacteristics: [0, 0],
    subscribe: [0, 0],
    gattRoundTrip: [0, 0],
    replyTypical: [0, 0],
    replyRange: [0, 0],
    replyOutlier: 0,
    fragmentGap: [0, 0],
    disconnect: [0, 0],
    adapterRestart: [0, 0],
  },
};

/** Draws one delay from a range; a [0, 0] range draws 0 without consuming randomness, keeping `instant` runs cheap. */
export function draw(random: SeededRandom, range: MsRange): number {
  const [min, max] = range;
  if (max <= 0) return 0;
  return Math.round(random.between(min, max));
}

/** Reply latency: mostly the typical band, sometimes anywhere in the observed range. */
export function drawReplyDelay(random: SeededRandom, model: LatencyModel): number {
  return draw(random, random.chance(model.replyOutlier) ? model.replyRange : model.replyTypical);
}
