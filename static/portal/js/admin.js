// The officers' admin pages: everything works without this file; it saves clicks.
(function () {
  "use strict";

  // The queue's long filters are drop-down lists: choosing one opens its filtered page, as a
  // click on a link of the short filters does.
  function followDropdownFilters() {
    document.querySelectorAll("select.admin-dropdown-filter").forEach(function (select) {
      select.addEventListener("change", function () {
        window.location.href = select.value;
      });
    });
  }

  // The application page's long sections are folded: a link to one opens it.
  function openLinkedSection() {
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target && target.tagName === "DETAILS") {
      target.open = true;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    followDropdownFilters();
    openLinkedSection();
  });
  window.addEventListener("hashchange", openLinkedSection);
})();
