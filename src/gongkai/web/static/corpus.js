// 报告库: choosing a province (or a city) narrows the next menu at once — the page is reloaded with the
// choice, and the menu below it cleared (a city of another province would select nothing).
(function () {
  "use strict";
  const form = document.getElementById("filters");
  if (!form) return;
  const below = { province: ["city", "county"], city: ["county"] };
  form.querySelectorAll("select.narrows").forEach(function (select) {
    select.addEventListener("change", function () {
      (below[select.name] || []).forEach(function (name) {
        const other = form.elements.namedItem(name);
        if (other) other.value = "";
      });
      form.submit();
    });
  });
})();
