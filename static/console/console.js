/* console-b: the one script of every console page (loaded by base.html). Behaviour is declared in the markup
   with data attributes, never with inline handlers, so no translated text is ever placed inside JavaScript:
   - form[data-confirm]: asks the attribute's question before the form is sent (htmx forms too);
   - select[data-autosubmit]: sends its form when the choice changes;
   - form[data-keep-location]: its `next` field takes the address shown at the moment of sending (list pages
     change their address without reloading);
   - a[data-href-with-query]: followed with the query the address shows at the moment of the click;
   - select[data-extension-for=ID]: the file name in input#ID follows the chosen format's extension;
   - form[data-wizard]: shows the fields whose data-kinds name the chosen source, and offers the OS versions
     (select[data-arch-from=ID], options with data-arch) of the architecture chosen in select#ID;
   - [data-prefill=NAME][data-value] drawn inside a wizard (the dry run's findings): chooses that value in the
     wizard's select NAME, unless the person has chosen there themselves (select[data-chosen], set on their change
     or by the page drawn again after a refused submission) or the value would undo a choice through the OS filter;
     a select so filled (data-prefilled) goes back to its default when a later dry run finds nothing for it. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); event.stopImmediatePropagation(); return; }
    if (form.hasAttribute && form.hasAttribute("data-keep-location") && form.elements.next) {
      form.elements.next.value = location.pathname + location.search;
    }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-href-with-query]");
    if (link) { link.href = link.getAttribute("data-href-with-query") + location.search; }
  });

  var EXTENSIONS = { qcow2: ".qcow2", vmdk: ".vmdk", vhd: ".vhd", quick: ".raw" };
  document.addEventListener("change", function (event) {
    var chooser = event.target;
    var name = chooser.matches && chooser.matches("select[data-extension-for]") &&
      document.getElementById(chooser.getAttribute("data-extension-for"));
    if (name && EXTENSIONS[chooser.value]) {
      name.value = name.value.replace(/\.(qcow2|vmdk|vhd|raw)$/i, "") + EXTENSIONS[chooser.value];
    }
  });

  function syncWizard(form) {
    var chosen = form.querySelector("input[name=kind]:checked");
    var kind = chosen ? chosen.value : "system";
    form.querySelectorAll("[data-kinds]").forEach(function (field) {
      field.hidden = field.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
    });
    form.querySelectorAll("select[data-arch-from]").forEach(function (picker) {
      var architecture = document.getElementById(picker.getAttribute("data-arch-from"));
      var arch = architecture ? architecture.value : "";
      picker.querySelectorAll("option[data-arch]").forEach(function (option) {
        var fits = !option.getAttribute("data-arch") || option.getAttribute("data-arch") === arch;
        option.hidden = !fits; option.disabled = !fits;
      });
      picker.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (picker.selectedOptions.length && picker.selectedOptions[0].disabled) { picker.value = ""; }
    });
  }
  function syncWizards() { document.querySelectorAll("form[data-wizard]").forEach(syncWizard); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", syncWizards); } else { syncWizards(); }

  document.addEventListener("change", function (event) {
    var wizard = event.target.closest && event.target.closest("form[data-wizard]");
    if (wizard) {
      // Only a person's choice fires "change" (pre-filling sets values silently): the findings never override it.
      if (event.target.matches("select")) { event.target.setAttribute("data-chosen", ""); }
      syncWizard(wizard);
    }
  });

  // Sets the select unless that changes a select the person chose: a new architecture disables, and so blanks, an
  // OS version chosen for the other one. Trying and undoing asks the sync itself, so no rule of it is repeated here.
  function setUnlessItOverrides(wizard, select, value) {
    var before = Array.prototype.map.call(wizard.querySelectorAll("select"), function (each) {
      return { select: each, value: each.value };
    });
    select.value = value;
    syncWizard(wizard);
    var overrides = before.some(function (was) {
      return was.select.hasAttribute("data-chosen") && was.select.value !== was.value;
    });
    if (overrides) {
      before.forEach(function (was) { was.select.value = was.value; });
      syncWizard(wizard);
    }
    return select.value === value;
  }

  function offers(select, value) {
    return Array.prototype.some.call(select.options, function (option) {
      return option.value === value && !option.disabled;
    });
  }

  // What the page was drawn with: the form's initial value (on an empty OS picker, the first option).
  function defaultValue(select) {
    var drawn = Array.prototype.find.call(select.options, function (option) { return option.defaultSelected; });
    return drawn ? drawn.value : select.options.length ? select.options[0].value : "";
  }

  function prefillWizard(findings) {
    var wizard = findings.closest && findings.closest("form[data-wizard]");
    if (!wizard) { return; }
    // The architecture first: it decides which OS versions the picker offers.
    ["architecture", "hw_firmware_type", "os_version"].forEach(function (name) {
      var select = wizard.querySelector("select[name=" + name + "]");
      if (!select || select.hasAttribute("data-chosen")) { return; }
      var found = findings.querySelector("[data-prefill=" + name + "]");
      var value = found && found.getAttribute("data-value");
      if (value && offers(select, value)) {
        if (setUnlessItOverrides(wizard, select, value)) { select.setAttribute("data-prefilled", ""); }
      } else if (select.hasAttribute("data-prefilled")) {
        // Another file's finding left in place would be taken for this file's.
        if (setUnlessItOverrides(wizard, select, defaultValue(select))) { select.removeAttribute("data-prefilled"); }
      }
    });
  }
  document.addEventListener("htmx:afterSwap", function (event) { prefillWizard(event.target); });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
    }
  });
})();
