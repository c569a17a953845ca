/* The note page: running clocks, technique fields by type, htmx error swaps.
   The truth lives on the server: a clock shows the time since the server's start time. */
(function () {
  "use strict";

  // --- Running timers ------------------------------------------------------------------------
  // Each <time data-started-at="ISO" data-now="ISO"> shows mm:ss since the server's start;
  // data-now (the server's clock when the page was drawn) corrects a skewed device clock.
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    var clocks = document.querySelectorAll("time[data-started-at]");
    clocks.forEach(function (el) {
      var started = Date.parse(el.dataset.startedAt);
      if (!el.dataset.skew) {
        var serverNow = Date.parse(el.dataset.now || "");
        el.dataset.skew = isNaN(serverNow) ? "0" : String(Date.now() - serverNow);
      }
      var seconds = Math.max(0, Math.floor((Date.now() - Number(el.dataset.skew) - started) / 1000));
      var h = Math.floor(seconds / 3600);
      var m = Math.floor((seconds % 3600) / 60);
      var s = seconds % 60;
      el.textContent = (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
      el.setAttribute("datetime", "PT" + seconds + "S");
    });
  }

  // --- Technique fields by type ----------------------------------------------------------------
  // Without JavaScript every field shows and the server validates by type.
  function showKindFields(form) {
    var select = form.querySelector("select.technique-kind");
    if (!select) { return; }
    var kind = select.value;
    form.querySelectorAll(".kind-field").forEach(function (group) {
      var kinds = (group.dataset.kinds || "").split(" ");
      // Until a type is chosen only the common fields show: the type decides what is asked.
      var show = Boolean(kind) && kinds.indexOf(kind) !== -1;
      group.classList.toggle("d-none", !show);
    });
  }

  function initTechniqueForms(root) {
    (root || document).querySelectorAll("form.technique-form").forEach(showKindFields);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select.technique-kind")) {
      showKindFields(target.closest("form"));
    }
  });

  // --- Reasoning: editing the text takes the confirmation away ---------------------------------
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.name === "reasoning") {
      var box = document.getElementById("id_reasoning_reasoning_confirmed");
      if (box && box.checked) { box.checked = false; }
    }
  });

  // --- htmx: show refusals and conflicts in place (422 and 409 carry the section) -----------
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:load", function (event) { initTechniqueForms(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    initTechniqueForms(document);
    tick();
    window.setInterval(tick, 1000);
  });
})();
