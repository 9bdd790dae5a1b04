// The reports' request form: the quarterly report asks for a quarter, the others for
// their dates; the fields the chosen report does not use are hidden. Without
// JavaScript both stay and the server takes the quarter for the quarterly report.
(function () {
  "use strict";
  function show(form) {
    var kind = form.querySelector('select[name="kind"][data-quarterly]');
    if (!kind) { return; }
    var quarterly = kind.value === kind.getAttribute("data-quarterly");
    ["quarter", "period_start", "period_end"].forEach(function (name) {
      var block = form.querySelector('[data-field="' + name + '"]');
      if (block) { block.hidden = (name === "quarter") !== quarterly; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector('select[name="kind"][data-quarterly]')) { return; }
      show(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") { show(form); }
      });
    });
  });
})();
