// The office forms' repeated rows (a campaign's topics, a walk-through's steps and the
// problems found): "add" copies the formset's empty row from its <template>, numbered
// after the rows already there, and raises the formset's TOTAL_FORMS. Without script
// the form still offers its blank rows. No inline script: the CSP forbids it.
(function () {
  "use strict";

  function addRow(fieldset) {
    var prefix = fieldset.getAttribute("data-rows");
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = fieldset.querySelector("template[data-row-template]");
    var list = fieldset.querySelector("[data-rows-list]");
    if (!total || !template || !list) { return; }
    var index = parseInt(total.value, 10) || 0;
    if (max && index >= (parseInt(max.value, 10) || 1000)) { return; }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    if (!row) { return; }
    list.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-add-row]") : null;
    if (!button) { return; }
    event.preventDefault();
    var fieldset = button.closest("[data-rows]");
    if (fieldset) { addRow(fieldset); }
  });
})();
