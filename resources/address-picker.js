// The address picker of the bms-poll and bms-mos dialogs. Node-RED serves this file from the package's resources/
// folder (at resources/@bmskit/node-red-jbd-bms/address-picker.js) and each of the two dialogs' .html loads it, so
// neither depends on another node's .html having been loaded first. The search button asks the runtime to scan
// (through the deployed adapter when there is one, else with the adapter's settings in the query) and lists the
// batteries one line each: name, address, signal, why it is taken for a JBD battery. The batteries the flow's nodes
// use on that adapter go along in the query, so those the scan does not hear are listed too, and the one in the
// address field is highlighted. Clicking a line (or Enter on it) fills the address field, which stays editable.
(() => {
  /** The adapter settings a scan before the first deploy needs; the runtime fills in the rest from its defaults. */
  const SCAN_SETTINGS = [
    "transport",
    "hciDevice",
    "simBatteries",
    "simCells",
    "simFaults",
    "simLatency",
    "simInHost",
    "connectTimeout",
    "commandTimeout",
  ];

  /**
   * Adds the search button and the results list beside the dialog's #node-input-address field and wires them to the
   * scan endpoint for `node`. `addressRule` is the runtime's address rule (from the node type's settings).
   */
  function addressPicker(node, addressRule) {
    const t = (key, subs) => node._(`@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.scan.${key}`, subs);
    const rules = window.bmskitRules;
    const field = $("#node-input-address");
    const button = $("<button>", {
      type: "button",
      id: "node-input-address-scan",
      class: "red-ui-button",
      title: t("button"),
      "aria-label": t("button"),
    }).append($("<i>", { class: "fa fa-search" }));
    const list = $("<ul>", {
      id: "node-input-address-results",
      class: "bms-scan-results",
      role: "listbox",
      "aria-label": t("button"),
    }).hide();
    field.after(" ", button, list);

    /** The address in the field as the runtime keys it, or null while it is none. */
    const chosenAddress = () => {
      const value = field.val();
      return rules.isAddress(addressRule, value) ? rules.canonicalAddress(value) : null;
    };

    /** The batteries the flow's bms-poll and bms-mos nodes use on `adapterId`, with a node name for each. */
    const configuredOn = (adapterId) => {
      const names = new Map();
      RED.nodes.eachNode((other) => {
        if (other.id === node.id || (other.type !== "bms-poll" && other.type !== "bms-mos")) return;
        if (other.adapter !== adapterId || !rules.isAddress(addressRule, other.address)) return;
        const address = rules.canonicalAddress(other.address);
        names.set(address, names.get(address) || other.name || "");
      });
      const chosen = chosenAddress();
      if (chosen) names.set(chosen, $("#node-input-name").val() || names.get(chosen) || "");
      return names;
    };

    /** A line that is no battery: a progress note, or (kind "error") a failed search, marked as an alert. */
    const note = (text, kind) => {
      const item = $("<li>", { class: "bms-scan-note", role: kind === "error" ? "alert" : "status" });
      if (kind === "error") {
        item.addClass("bms-scan-error").append($("<i>", { class: "fa fa-exclamation-triangle" }), " ");
      }
      list
        .empty()
        .append(item.append(document.createTextNode(text)))
        .show();
    };

    const choose = (result) => {
      field.val(result.address).trigger("change");
      if (!$("#node-input-name").val() && result.name) $("#node-input-name").attr("placeholder", result.name);
      list.hide();
    };

    /**
     * One line: name, address, signal (or "linked": a held battery does not advertise), why it is taken for a JBD
     * battery; for a configured battery the scan did not hear, that it was not heard in place of the last two.
     */
    const line = (result, nodeName, chosen) => {
      const heard = result.recognised.length > 0;
      const cells = [
        ["name", result.name || nodeName || "—"],
        ["address", result.address],
      ];
      if (heard) {
        cells.push(["signal", result.linked ? t("linked") : result.rssi === null ? "" : `${result.rssi} dBm`]);
        cells.push(["why", result.recognised.map((evidence) => t(`by.${evidence.by}`, evidence)).join(", ")]);
      } else {
        cells.push(["why", t("configuredSilent")]);
      }
      const isChosen = result.address === chosen;
      const item = $("<li>", {
        class: `bms-scan-result${heard ? "" : " bms-scan-silent"}${isChosen ? " bms-scan-chosen" : ""}`,
        role: "option",
        tabindex: 0,
        "aria-selected": String(isChosen),
        "data-address": result.address,
        // Cells too long for their column end in an ellipsis; the tooltip has the whole line.
        title: cells
          .map(([, text]) => text)
          .filter(Boolean)
          .join("  ·  "),
      });
      for (const [kind, text] of cells) {
        $("<span>", { class: `bms-scan-${kind}` })
          .text(text)
          .appendTo(item);
      }
      return item
        .on("click", () => choose(result))
        .on("keydown", (event) => {
          if (event.key !== "Enter" && event.key !== " ") return;
          event.preventDefault();
          choose(result);
        });
    };

    button.on("click", (event) => {
      event.preventDefault();
      const adapterId = $("#node-input-adapter").val();
      const adapter = adapterId && adapterId !== "_ADD_" ? RED.nodes.node(adapterId) : null;
      if (!adapter) {
        note(t("noAdapter"));
        return;
      }
      const names = configuredOn(adapter.id);
      const query = { id: adapter.id, configured: [...names.keys()].join(",") };
      for (const key of SCAN_SETTINGS) if (adapter[key] !== undefined) query[key] = adapter[key];
      button.prop("disabled", true);
      note(t("searching"));
      $.getJSON("bms-adapter/scan", query)
        .done((results) => {
          if (!results.length) {
            note(t("none"));
            return;
          }
          const chosen = chosenAddress();
          list.empty();
          for (const result of results) line(result, names.get(result.address), chosen).appendTo(list);
        })
        .fail((xhr) => {
          note(t("failed", { message: xhr.responseJSON?.message || xhr.statusText }), "error");
        })
        .always(() => {
          button.prop("disabled", false);
        });
    });
  }

  window.bmskitAddressPicker = addressPicker;
})();
