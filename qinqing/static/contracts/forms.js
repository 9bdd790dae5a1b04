// Contract authoring forms: a field marked data-show-if="<field>" data-show-values="a b"
// is shown only while that field (itself shown) has one of those values; without
// JavaScript every field stays visible and the server checks the same rules.
(function () {
  "use strict";
  function valueOf(form, name) {
    var elements = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      if (el.type === "radio") { if (el.checked) { return el.value; } continue; }
      if (el.type === "checkbox") { return el.checked ? "on" : ""; }
      return el.value;
    }
    return "";
  }
  function shown(form, name) {
    var wrapper = form.querySelector('[data-field="' + name + '"]');
    return !wrapper || !wrapper.hidden;
  }
  function update(form) {
    var wrappers = form.querySelectorAll("[data-show-if]");
    // Conditions may chain (a field depending on a field that depends on another).
    for (var pass = 0; pass < 3; pass++) {
      wrappers.forEach(function (wrapper) {
        var control = wrapper.getAttribute("data-show-if");
        var values = (wrapper.getAttribute("data-show-values") || "").split(" ");
        wrapper.hidden = !(shown(form, control) && values.indexOf(valueOf(form, control)) >= 0);
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-if]")) { return; }
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
