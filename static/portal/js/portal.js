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

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    filterMunicipalities();
  });
})();
