/* The image pages' modal dialogs: a link marked data-dialog loads its dialog into the page's <dialog> (without
   script it opens the dialog as a page); data-dialog-close closes it; forms marked data-confirm ask first.
   No inline handlers in the markup, so no translated text is ever placed inside JavaScript. */
(function () {
  "use strict";
  function modal() { return document.getElementById("image-dialog"); }

  function focusFirst(dialog) {
    var first = dialog.querySelector("[aria-invalid=true], input:not([type=hidden]):not([disabled]), select, textarea");
    if (first) { first.focus(); }
  }

  document.addEventListener("click", function (event) {
    /* One row menu open at a time: a click anywhere else closes it. */
    document.querySelectorAll("details.row-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
    var opener = event.target.closest && event.target.closest("[data-dialog]");
    if (opener && modal() && window.htmx) {
      event.preventDefault();
      var menu = opener.closest("details");
      if (menu) { menu.open = false; }
      window.htmx.ajax("GET", opener.getAttribute("href"), { target: "#dialog-body", swap: "innerHTML" });
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-dialog-close]");
    if (closer && modal() && modal().open) {
      event.preventDefault();
      modal().close();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.row-menu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = modal();
    if (!dialog || event.detail.target.id !== "dialog-body") { return; }
    if (!dialog.open) { dialog.showModal(); }
    focusFirst(dialog);
  });

  /* forms marked data-confirm: console/console.js (every page) asks, once. */

  /* Row checkboxes: "select all" ticks every row of the page; the batch buttons follow the selection (without
     script they stay enabled, and the server asks for a selection). */
  function syncBatch() {
    var chosen = document.querySelectorAll("input[data-row-select]:checked").length;
    document.querySelectorAll("[data-batch]").forEach(function (button) { button.disabled = chosen === 0; });
  }
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-select-all]");
    var table = event.target.closest && event.target.closest("table");
    if (!table) { return; }
    if (all) {
      table.querySelectorAll("input[data-row-select]").forEach(function (box) { box.checked = all.checked; });
    }
    syncBatch();
  });
  document.addEventListener("htmx:afterSettle", syncBatch);
  syncBatch();
})();
