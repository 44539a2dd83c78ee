import type { Node, NodeAPI, NodeDef, NodeMessage } from "node-red";
import { BmsError, isBmsError } from "../errors";
import type { PollResult } from "../pool/types";
import { BatteryBinding, type BatteryNodeDef, type Done } from "./battery-binding";
import { PollCoalescer } from "./poll-coalescer";
import { POLL_NODE_SETTINGS, parsePollInterval } from "./poll-interval";
import { freshMeta, type LastGood, pollTopic, staleMeta } from "./poll-message";
import { POLL_SETTINGS, readSettings } from "./settings-schema";
import { valuesBadge } from "./status-badge";

interface PollNodeDef extends NodeDef, BatteryNodeDef {
  topic?: string;
  interval?: number | string;
  onFailure?: string;
  staleLimit?: number | string;
}

type PollMessage = NodeMessage & { address?: unknown; bms?: unknown };
type Send = (msg: NodeMessage) => void;

const NOT_STARTED = "the bms-poll node was redeployed, disabled or deleted before this poll started; nothing was read";

/** With an interval set, the first poll comes this long after the node starts (inject's "once" default). */
const FIRST_POLL_DELAY_MS = 100;

/**
 * bms-poll: any input (or the interval) polls the battery; the same msg goes out with the decoded payload,
 * topic and msg.bms (DESIGN 4.2). Overlapping triggers coalesce; with onFailure "last" a failed poll resends the
 * last good payload marked stale, up to staleLimit consecutive failures.
 */
export = (RED: NodeAPI) => {
  function BmsPoll(this: Node, def: PollNodeDef) {
    RED.nodes.createNode(this, def);
    const binding = new BatteryBinding(RED, this, def, "warn");
    const coalescer = new PollCoalescer<LastGood>();
    const failures = new Map<string, number>();
    const lastGood = new Map<string, LastGood>();
    const failure = readSettings(POLL_SETTINGS, def, ["onFailure", "staleLimit"]);
    const { onFailure, staleLimit } = failure.values;
    const topic = def.topic ?? "";

    /** One poll of a battery, shared by every trigger that coalesced into it; counts failures once per poll. */
    const pollOnce = (poll: () => Promise<PollResult>, address: string) => async () => {
      try {
        const result = await poll();
        const now = new Date();
        const good: LastGood = { payload: result.payload, meta: freshMeta(result, now), at: now.getTime() };
        failures.set(address, 0);
        lastGood.set(address, good);
        return good;
      } catch (err) {
        failures.set(address, (failures.get(address) ?? 0) + 1);
        throw err;
      }
    };

    const handle = (msg: PollMessage, send: Send, done: Done) => {
      if (binding.control(msg, done)) return;
      let target: ReturnType<BatteryBinding["target"]>;
      try {
        target = binding.target(msg);
      } catch (err) {
        binding.fail(err, done);
        return;
      }
      const { pool, address } = target;
      coalescer
        .run(
          address,
          pollOnce(() => pool.poll(address), address),
        )
        .then(
          (good) => {
            // A poll that finished after the node closed: a closed node sends nothing.
            if (binding.closed) {
              done();
              return;
            }
            // Each coalesced msg gets its own copy, so a downstream change to one cannot alter another or lastGood.
            msg.payload = structuredClone(good.payload);
            msg.topic = pollTopic(topic, def.name, address);
            msg.bms = { ...good.meta };
            binding.badge.result(valuesBadge(good.payload.voltage, good.payload.stateOfCharge));
            send(msg);
            done();
          },
          (err: unknown) => {
            const count = failures.get(address) ?? 0;
            const last = lastGood.get(address);
            if (
              !binding.closed &&
              onFailure === "last" &&
              last &&
              count <= staleLimit &&
              isBmsError(err) &&
              err.code !== "INVALID_INPUT"
            ) {
              msg.payload = structuredClone(last.payload);
              msg.topic = pollTopic(topic, def.name, address);
              msg.bms = staleMeta(last, Date.now(), count, { code: err.code, message: err.message });
              binding.badge.failed(err);
              send(msg);
              done();
              return;
            }
            msg.bms = { address, consecutiveFailures: count, stale: false };
            binding.fail(err, done);
          },
        );
    };

    this.on("input", (msg, send, done) => handle(msg as PollMessage, send, done));

    let timer: NodeJS.Timeout | null = null;
    let firstPoll: NodeJS.Timeout | null = null;
    let intervalSeconds = 0;
    try {
      intervalSeconds = parsePollInterval(def.interval);
    } catch (err) {
      // A hand-edited flow can carry what the editor refuses; the node still polls on input.
      this.error(err);
      binding.badge.failed(err as BmsError);
    }
    if (failure.problems.length > 0) {
      // The same for a bad onFailure or staleLimit: reported like a bad interval, and the node goes on with the default.
      const err = new BmsError("INVALID_INPUT", failure.problems.join("; "));
      this.error(err);
      binding.badge.failed(err);
    }
    if (intervalSeconds > 0) {
      if (binding.hasFixedAddress) {
        // The interval path is the input path with a fresh msg; node.error(err, msg) makes its errors catchable.
        const tick = () => {
          const msg: PollMessage = {};
          handle(
            msg,
            (out) => this.send(out),
            (err) => {
              if (err) this.error(err, msg);
            },
          );
        };
        timer = setInterval(tick, intervalSeconds * 1000);
        // A first reading right after deploy, not one interval later; the short pause lets the flow finish
        // starting, as inject's "once" does.
        firstPoll = setTimeout(() => {
          firstPoll = null;
          tick();
        }, FIRST_POLL_DELAY_MS);
      } else {
        this.warn(RED._("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.warn.intervalNeedsAddress"));
      }
    }

    this.on("close", (removed: boolean, done: () => void) => {
      // A poll waiting behind the one in flight never starts; the one in flight runs on, but its result is not sent.
      coalescer.cancelPending(new BmsError("NODE_CLOSED", NOT_STARTED));
      if (timer) clearInterval(timer);
      if (firstPoll) clearTimeout(firstPoll);
      binding.close(removed).then(done, done);
    });
  }

  RED.nodes.registerType("bms-poll", BmsPoll, { settings: POLL_NODE_SETTINGS });
};
