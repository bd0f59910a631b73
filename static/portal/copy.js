// Copy buttons: <button data-copy-target="#id"> copies that field's value (a secret shown once).
// A file, not an inline script: the Content-Security-Policy forbids inline scripts.
"use strict";

document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copyTarget);
  if (!field) return;
  const status = button.closest("[role=status], .alert, form, section, main")?.querySelector("[data-copy-status]");
  const say = function (text) { if (status) status.textContent = text; };
  field.focus();
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(
      function () { button.textContent = "Copied"; say("Copied to the clipboard."); },
      function () { say("Could not copy: the token is selected, press Ctrl+C (⌘C on a Mac)."); }
    );
  } else {
    // Without the clipboard API (a page not served over HTTPS) the selection is the fallback.
    say("The token is selected: press Ctrl+C (⌘C on a Mac) to copy it.");
  }
});
