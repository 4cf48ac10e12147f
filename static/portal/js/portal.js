// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen readers announce what went wrong.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  // Show only the chosen department's municipalities (all are listed without JavaScript,
  // grouped by department, and the server checks the pair either way).
  function filterMunicipalities() {
    var selects = document.querySelectorAll("select[data-filter-by]");
    selects.forEach(function (select) {
      var source = document.getElementById(select.getAttribute("data-filter-by"));
      if (!source) { return; }
      var groups = Array.prototype.slice.call(select.querySelectorAll("optgroup"));
      function apply() {
        var chosen = source.options[source.selectedIndex];
        var name = chosen && chosen.value ? chosen.text : null;
        groups.forEach(function (group) {
          var show = !name || group.label === name;
          group.hidden = !show;
          group.disabled = !show;
        });
        var selected = select.options[select.selectedIndex];
        if (selected && selected.parentElement && selected.parentElement.disabled) {
          select.value = "";
        }
      }
      source.addEventListener("change", apply);
      apply();
    });
  }

  // The loan form's limits follow the chosen product: the inputs' min/max and the hints under
  // them (the server wrote both for the product chosen when the page was made).
  function followProductLimits() {
    var select = document.querySelector("select[data-term-max]");
    if (!select) { return; }
    var form = select.form;
    function setHint(name, text) {
      var hint = document.getElementById("id_" + name + "_helptext");
      if (hint && text) { hint.textContent = text; }
    }
    function apply() {
      var option = select.options[select.selectedIndex];
      var source = option && option.hasAttribute("data-term-max") ? option : select;
      var term = form.elements.namedItem("term_months");
      var grace = form.elements.namedItem("grace_months");
      if (term) {
        term.min = source.getAttribute("data-term-min");
        term.max = source.getAttribute("data-term-max");
      }
      if (grace) {
        grace.min = "0";
        grace.max = source.getAttribute("data-grace-max");
      }
      setHint("amount", source.getAttribute("data-amount-hint"));
      setHint("term_months", source.getAttribute("data-term-hint"));
      setHint("grace_months", source.getAttribute("data-grace-hint"));
    }
    select.addEventListener("change", apply);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    filterMunicipalities();
    followProductLimits();
  });
})();
