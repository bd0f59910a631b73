// Behaviour for the portal's pages. No inline scripts anywhere (Content-Security-Policy).
"use strict";

document.addEventListener("click", function (event) {
  // Confirmation before destructive or irreversible actions: <button data-confirm="...">.
  const confirmTarget = event.target.closest("[data-confirm]");
  if (confirmTarget && !window.confirm(confirmTarget.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
    return;
  }
  // Django formsets: clone the empty form from its <template> and bump TOTAL_FORMS.
  const addButton = event.target.closest("[data-formset-add]");
  if (addButton) {
    const prefix = addButton.dataset.formsetAdd;
    const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    const template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    const container = document.querySelector('[data-formset="' + prefix + '"]');
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
  }
});
