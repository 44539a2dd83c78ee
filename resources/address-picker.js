// The address picker of the bms-poll and bms-mos dialogs. Node-RED serves this file from the package's resources/
// folder (at resources/@bmskit/node-red-jbd-bms/address-picker.js) and each of the two dialogs' .html loads it, so
// neither depends on another node's .html having been loaded first. The search button asks the runtime to scan
// (through the deployed adapter when there is one, else with the adapter's settings in the query) and lists the
// batteries; clicking one fills the address field, which stays editable.
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
   * scan endpoint for `node`.
   */
  function addressPicker(node) {
    const t = (key, subs) => node._(`@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.scan.${key}`, subs);
    const field = $("#node-input-address");
    const button = $("<button>", {
      type: "button",
      id: "node-input-address-scan",
      class: "red-ui-button",
      title: t("button"),
      "aria-label": t("button"),
    }).append($("<i>", { class: "fa fa-search" }));
    const list = $("<ul>", { id: "node-input-address-results", class: "bms-scan-results" }).hide();
    field.after(" ", button, list);
    button.on("click", (event) => {
      event.preventDefault();
      const adapterId = $("#node-input-adapter").val();
      const adapter = adapterId && adapterId !== "_ADD_" ? RED.nodes.node(adapterId) : null;
      if (!adapter) {
        list
          .empty()
          .append($("<li>").text(t("noAdapter")))
          .show();
        return;
      }
      const query = { id: adapter.id };
      for (const key of SCAN_SETTINGS) if (adapter[key] !== undefined) query[key] = adapter[key];
      button.prop("disabled", true);
      list
        .empty()
        .append($("<li>").text(t("searching")))
        .show();
      $.getJSON("bms-adapter/scan", query)
        .done((results) => {
          list.empty();
          if (!results.length) list.append($("<li>").text(t("none")));
          for (const r of results) {
            let label = `${r.name || "?"}  ${r.address}${r.rssi !== null ? `  ${r.rssi} dBm` : ""}`;
            if (r.linked) label += `  (${t("linked")})`;
            $("<li>")
              .addClass("bms-scan-result")
              .attr("data-address", r.address)
              .text(label)
              .on("click", () => {
                $("#node-input-address").val(r.address).trigger("change");
                if (!$("#node-input-name").val() && r.name) $("#node-input-name").attr("placeholder", r.name);
                list.hide();
              })
              .appendTo(list);
          }
        })
        .fail((xhr) => {
          const message = xhr.responseJSON?.message || xhr.statusText;
          list.empty().append($("<li>").text(t("failed", { message })));
        })
        .always(() => {
          button.prop("disabled", false);
        });
    });
  }

  window.bmskitAddressPicker = addressPicker;
})();
