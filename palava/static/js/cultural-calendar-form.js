/* Cultural calendar event form: show only the fieldset of the chosen recurrence kind.
 * Without this file every fieldset shows and the server reads only the chosen kind's fields. */
(function () {
  "use strict";

  function enableRuleFieldsets(form) {
    var select = form.querySelector("select[data-rule-kind-select]");
    if (!select) {
      return;
    }
    var fieldsets = form.querySelectorAll("fieldset[data-rule-kinds]");
    var hint = form.querySelector("[data-rule-hint]");
    if (hint) {
      hint.hidden = true;
    }
    function update() {
      var kind = select.value;
      Array.prototype.forEach.call(fieldsets, function (fieldset) {
        var kinds = (fieldset.getAttribute("data-rule-kinds") || "").split(" ");
        fieldset.hidden = kinds.indexOf(kind) === -1;
      });
    }
    select.addEventListener("change", update);
    update();
  }

  function init() {
    var forms = document.querySelectorAll("form[data-rule-form]");
    Array.prototype.forEach.call(forms, enableRuleFieldsets);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
