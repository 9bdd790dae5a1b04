// Problem forms: the sub-type list shows only the sub-types of the chosen category (its
// options are grouped by category label). Without JavaScript every sub-type stays and the
// server checks that the one chosen belongs to the category.
(function () {
  "use strict";
  function filter(form) {
    var category = form.querySelector('select[name$="category"]:not([name$="subcategory"])');
    var sub = form.querySelector('select[name$="subcategory"]');
    if (!category || !sub) { return; }
    var label = category.selectedIndex >= 0 ? category.options[category.selectedIndex].text : "";
    sub.querySelectorAll("optgroup").forEach(function (group) {
      var match = group.label === label;
      group.hidden = !match;
      group.disabled = !match;
    });
    var chosen = sub.options[sub.selectedIndex];
    if (chosen && chosen.parentElement.tagName === "OPTGROUP" && chosen.parentElement.disabled) { sub.value = ""; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector('select[name$="subcategory"]')) { return; }
      filter(form);
      form.addEventListener("change", function (event) {
        if (event.target.name && /category$/.test(event.target.name) && !/subcategory$/.test(event.target.name)) { filter(form); }
      });
    });
  });
})();
