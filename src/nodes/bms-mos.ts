import type { Node, NodeAPI, NodeDef, NodeMessage } from "node-red";
import { BmsError, isBmsError } from "../errors";
import type { MosResult } from "../pool/types";
import { BatteryBinding, type BatteryNodeDef } from "./battery-binding";
import { parseMosCommand } from "./mos-command";
import { MosCommandQueue } from "./mos-command-queue";
import { ADDRESS_SETTING } from "./settings-schema";
import { mosBadge } from "./status-badge";

interface MosNodeDef extends NodeDef, BatteryNodeDef {
  allowWrites?: boolean;
}

type MosMessage = NodeMessage & { address?: unknown; bms?: unknown };

/**
 * bms-mos: switches the charge/discharge MOSFETs (DESIGN 4.6). Refuses with WRITES_DISABLED until "Allow switching"
 * is ticked, validates the command before anything is written, runs one write per battery at a time, lets a newer
 * command supersede a queued one, and answers only after the state was read back. Closing the node (redeploy,
 * delete, disable) cancels every command not yet written: each ends with NODE_CLOSED and nothing reaches the
 * battery after close; a write already on the wire is read back, but a closed node sends nothing.
 */
export = (RED: NodeAPI) => {
  function BmsMos(this: Node, def: MosNodeDef) {
    RED.nodes.createNode(this, def);
    // The badge shows the MOSFET state from the first read on, whatever the link does meanwhile.
    const binding = new BatteryBinding(RED, this, def, "refuse", "always");
    const queue = new MosCommandQueue<MosResult>();
    const allowWrites = def.allowWrites === true;

    this.on("input", (input, send, done) => {
      const msg = input as MosMessage;
      if (binding.control(msg, done)) return;
      let target: ReturnType<BatteryBinding["target"]>;
      let command: ReturnType<typeof parseMosCommand>;
      try {
        if (!allowWrites) {
          throw new BmsError(
            "WRITES_DISABLED",
            RED._("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.errors.writesDisabled"),
          );
        }
        command = parseMosCommand(msg.payload);
        target = binding.target(msg);
      } catch (err) {
        binding.fail(err, done);
        return;
      }
      const { pool, address } = target;
      queue
        .run(address, (signal) => pool.setMos(address, command, { signal }))
        .then(
          (outcome) => {
            if (outcome.superseded) {
              this.warn(RED._("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.warn.superseded", { address }));
              done();
              return;
            }
            const result = outcome.value;
            if (binding.closed) {
              // It finished after the node closed: its write was already on the wire (or the state already matched
              // and nothing was written). A closed node sends nothing; a switch it could not take back is logged.
              if (result.written) {
                this.warn(
                  RED._("@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.warn.finishedAfterClose", {
                    address,
                    state: mosBadge(result.state).text as string,
                  }),
                );
              }
              done();
              return;
            }
            msg.payload = { ...result.state };
            msg.bms = {
              address: result.address,
              name: result.name,
              previous: { ...result.previous },
              written: result.written,
              verified: true,
              latencyMs: result.latencyMs,
              connection: result.connection,
              connectMs: result.connectMs,
            };
            binding.badge.result(mosBadge(result.state));
            send(msg);
            done();
          },
          (err: unknown) => {
            msg.bms = { address, verified: false, ...readBackState(err) };
            binding.fail(err, done);
          },
        );
    });

    this.on("close", (removed: boolean, done: () => void) => {
      queue.cancelAll(
        new BmsError(
          "NODE_CLOSED",
          "the bms-mos node was redeployed, disabled or deleted before this command was written; nothing was written",
        ),
      );
      binding.close(removed).then(done, done);
    });
  }

  // The address rule goes to the editor as a node setting (RED.settings.bmsMosSettings), for its validator.
  RED.nodes.registerType("bms-mos", BmsMos, {
    settings: { bmsMosSettings: { value: { address: ADDRESS_SETTING }, exportable: true } },
  });
};

/**
 * MOS_NOT_CONFIRMED carries the state read back after the write (and the state before); they are put on
 * msg.bms.state and msg.bms.previous so a Catch node sees what the BMS actually did.
 */
function readBackState(err: unknown): { state?: unknown; previous?: unknown } {
  if (!isBmsError(err) || err.code !== "MOS_NOT_CONFIRMED" || !err.details) return {};
  return { state: err.details.state, previous: err.details.previous };
}
