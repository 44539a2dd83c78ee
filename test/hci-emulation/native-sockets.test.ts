import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { chooseHciSocket, HCI_SOCKET_MODULES, PREBUILT_HCI_SOCKET } from "../../src/ble/host/hci-socket-choice";
import { describeWithTier, pollsOverKeptAndIdleLinks, SHORT_IDLE } from "./hci-tier";

// The same noble HCI scenario over each socket module's own native code: the prebuilt binary as npm installed it and
// noble's own module as npm built it, each loaded by the adapter host (BMS_HCI_SOCKET picks it) and talking to a
// btvirt controller through an emulated kernel raw HCI socket (native/kernel-hci-socket-preload.c). The rest of the
// tier replaces the module; here only the kernel below it is emulated, so this is where the two modules' natives meet
// noble's hci.js. The prebuilt module must load here; noble's own is skipped where it is not built for this Node.js.

/** The file name by which each module's native binary shows in a process's memory map. */
const NATIVE_BINARY: Record<string, RegExp> = {
  [PREBUILT_HCI_SOCKET]: /@stoprocent\+bluetooth-hci-socket\.[\w.]*node$/m,
  "@abandonware/bluetooth-hci-socket": /\/bluetooth_hci_socket\.node$/m,
};

for (const socketModule of HCI_SOCKET_MODULES) {
  let loads: true | string = true;
  try {
    chooseHciSocket([socketModule]);
  } catch (error) {
    assert.notEqual(socketModule, PREBUILT_HCI_SOCKET, `the prebuilt module must load: ${String(error)}`);
    loads = `${socketModule} does not load on Node.js ${process.version} here (not built for it)`;
  }
  if (loads !== true) {
    it(`noble over ${socketModule}'s native code`, { skip: loads }, () => undefined);
    continue;
  }
  describeWithTier(
    `noble over ${socketModule}'s native code and an emulated kernel socket`,
    (tier) => {
      it("polls, keeps the link, closes it when idle and reconnects, with the module's binary in the host", async () => {
        const battery = await tier().startBattery(1);
        await pollsOverKeptAndIdleLinks(tier().openPool(SHORT_IDLE), battery.address, 2);
        const pid = tier().host.childPid;
        assert.ok(pid !== undefined);
        const maps = readFileSync(`/proc/${pid}/maps`, "utf8");
        assert.match(maps, NATIVE_BINARY[socketModule] as RegExp, "the module's own binary runs in the adapter host");
        assert.match(maps, /kernel-hci-socket-preload\.so$/m);
      });

      it("reads two batteries over two links at once, each with its own values", async () => {
        const batteries = await Promise.all([2, 3].map((index) => tier().startBattery(index)));
        const pool = tier().openPool({ maxLinks: 2 });
        const results = await Promise.all(batteries.map((battery) => pool.poll(battery.address)));
        assert.deepEqual(
          results.map((result) => result.address),
          batteries.map((battery) => battery.address),
        );
        assert.notDeepEqual(results[0]?.payload.cellVoltages, results[1]?.payload.cellVoltages);
      });
    },
    { nativeSocket: socketModule },
  );
}
