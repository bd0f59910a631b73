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

// Phones (#16): a table that is not a stacking list (.table-stack) scrolls inside its own box
// instead of widening the page; a box that scrolls takes the keyboard's focus, so it can be
// scrolled without a mouse, and is named after its table's caption or nearest heading.
function boxTables(root) {
  root.querySelectorAll("table.table:not(.table-stack)").forEach(function (table) {
    if (table.closest(".table-responsive, .table-scroll")) return;
    const box = document.createElement("div");
    box.className = "table-responsive table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  root.querySelectorAll(".table-responsive").forEach(function (box) {
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      const caption = box.querySelector("caption");
      const heading = caption ? null : box.closest("section, .card, main")?.querySelector("h1, h2, h3, h4, .card-header");
      box.setAttribute("aria-label", ((caption || heading)?.textContent || "Table").trim());
    } else if (!scrolls && box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}

document.addEventListener("DOMContentLoaded", function () { boxTables(document); });
document.addEventListener("htmx:load", function (event) { boxTables(event.target.parentNode || document); });
// At most once a frame while a window is dragged wider or narrower, not on every resize event.
let boxingQueued = 0;
window.addEventListener("resize", function () {
  if (!boxingQueued) {
    boxingQueued = requestAnimationFrame(function () { boxingQueued = 0; boxTables(document); });
  }
});
