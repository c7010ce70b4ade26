/* The submission form's enhancements; every page works without them.
   - Live character counters on fields with data-limit (the server enforces the same limits).
   - A search box over the grouped country checkboxes, and the list of chosen countries.
   - Focus on the error summary, so keyboard and screen reader users start there. */
(function () {
  "use strict";

  function length(text) {
    // Code points, as the server counts; line breaks count once (the form sends CR LF).
    return Array.from(text).length;
  }

  function initCounter(input) {
    var counter = document.getElementById(input.id + "-count");
    if (!counter) { return; }
    var limit = parseInt(input.getAttribute("data-limit"), 10);
    var template = counter.getAttribute("data-template");
    function update() {
      var count = length(input.value);
      counter.textContent = template.replace("{count}", count);
      counter.classList.toggle("over", count > limit);
    }
    input.addEventListener("input", update);
    update();
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function initPicker(picker) {
    var box = picker.querySelector(".picker-search");
    var search = picker.querySelector("[data-picker-search]");
    var chosen = picker.querySelector("[data-picker-chosen]");
    var groups = Array.prototype.slice.call(picker.querySelectorAll("details"));
    box.hidden = false;

    function showChosen() {
      var names = [];
      picker.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
        names.push(picker.querySelector("label[for='" + box.id + "']").textContent);
      });
      chosen.textContent = names.length ? chosen.getAttribute("data-label") + " " + names.join(", ")
        : chosen.getAttribute("data-none");
    }

    function filter() {
      var query = fold(search.value.trim());
      groups.forEach(function (group) {
        var matches = 0;
        group.querySelectorAll("li").forEach(function (item) {
          var hit = !query || fold(item.textContent).indexOf(query) !== -1;
          item.hidden = !hit;
          if (hit) { matches += 1; }
        });
        group.hidden = matches === 0;
        group.open = query ? matches > 0 : group.querySelector("input:checked") !== null;
      });
    }

    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter filters, never submits
    });
    picker.addEventListener("change", showChosen);
    showChosen();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-limit]").forEach(initCounter);
    document.querySelectorAll("[data-picker]").forEach(initPicker);
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
}());
