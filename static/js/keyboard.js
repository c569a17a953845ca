/* Keyboard-first charting. Everything here is a shortcut to what a click or Tab already does;
   without JavaScript the note's links, forms and buttons work as they are.

   Everywhere: "/" jumps to the page's search box; ArrowDown/ArrowUp move from it through the
   results.
   On the note: Alt+Shift+<letter> jumps to a section (the letters are on the section links, as
   aria-keyshortcuts), Alt+Shift+S to the signature, Alt+Shift+K starts or stops the timer;
   Enter saves the form it is typed in (Ctrl+Enter in a text box); after a save the focus moves
   to the next thing to chart. */
(function () {
  "use strict";

  var TIMER_KEY = "K";
  // After saving in one section, where charting usually goes next.
  var NEXT_SECTION = { findings: "techniques", techniques: "time" };

  function typing(el) {
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  function visible(el) {
    return Boolean(el) && el.getClientRects().length > 0;
  }

  function focusEl(el) {
    if (!el) { return false; }
    if (!el.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
    return document.activeElement === el;
  }

  function empty(field) {
    if (field.type === "checkbox" || field.type === "radio") { return !field.checked; }
    return !field.value;
  }

  var FIELDS = "input:not([type=hidden]):not([type=checkbox]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
  var CONTROLS = "a[href], button:not([disabled]), summary, " + FIELDS;

  // The control a jump to a section lands on: the first empty field of its open form, else its
  // first control, else its heading.
  function landing(section) {
    var id = section.id;
    if (id === "sign") {
      return section.querySelector("input[type=password]") || section.querySelector("h2");
    }
    if (id === "reasoning") {
      var text = section.querySelector("textarea[name=reasoning]");
      var draft = section.querySelector("button[formaction*='draft']");
      if (text && !text.value.trim() && draft) { return draft; }
      return text || section.querySelector("h2");
    }
    if (id === "time" && timerButton()) {
      return timerButton();  // the section's one key-reachable start/stop button
    }
    if (id === "units" || id === "checklist" || id === "signature") {
      return section.querySelector("h2");
    }
    var fields = Array.prototype.filter.call(section.querySelectorAll(FIELDS), visible);
    var blank = fields.filter(empty);
    if (blank.length) { return blank[0]; }
    var controls = Array.prototype.filter.call(section.querySelectorAll(CONTROLS), visible);
    return controls[0] || section.querySelector("h2");
  }

  function jump(id) {

    var section = document.getElementById(id);
    if (!section) { return false; }
    return focusEl(landing(section));
  }

  // --- Shortcuts ---------------------------------------------------------------------------

  function shortcutLetter(event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) { return ""; }
    if (event.code && event.code.indexOf("Key") === 0) { return event.code.slice(3); }
    return (event.key || "").toUpperCase();
  }

  function timerButton() {
    var time = document.getElementById("time");
    if (!time) { return null; }
    var stop = time.querySelector("form[action*='/timer/'][action$='/stop/'] button");
    return stop || time.querySelector("form[action$='/timer/start/'] button");
  }

  function markShortcuts() {
    var timer = timerButton();
    if (timer) { timer.setAttribute("aria-keyshortcuts", "Alt+Shift+" + TIMER_KEY); }
    var password = document.querySelector("#sign input[type=password]");
    if (password) { password.setAttribute("aria-keyshortcuts", "Alt+Shift+S"); }
    var search = document.querySelector("form[role=search] input[type=search]");
    if (search) { search.setAttribute("aria-keyshortcuts", "/"); }
  }

  function results(search) {
    var form = search.closest("form");
    var target = form && form.getAttribute("hx-target");
    var box = target ? document.querySelector(target) : null;
    return box ? Array.prototype.slice.call(box.querySelectorAll("a[href].list-group-item, a[href]")) : [];
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var letter = shortcutLetter(event);
    if (letter) {
      if (letter === TIMER_KEY) {
        var button = timerButton();
        if (button) { event.preventDefault(); button.click(); }
        return;
      }
      var link = document.querySelector("#note-nav a[data-shortcut='" + letter + "']");
      if (link) {
        event.preventDefault();
        jump(link.getAttribute("href").slice(1));
      }
      return;
    }
    if (event.key === "/" && !typing(target) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var search = document.querySelector("form[role=search] input[type=search]");
      if (search) { event.preventDefault(); focusEl(search); }
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var box = document.querySelector("form[role=search] input[type=search]");
      if (!box) { return; }
      var links = results(box);
      var at = target === box ? -1 : links.indexOf(target);
      if (target !== box && at === -1) { return; }
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      if (next < 0 && at !== -1) { event.preventDefault(); focusEl(box); return; }
      if (links[next]) { event.preventDefault(); focusEl(links[next]); }
      return;
    }
    if (event.key !== "Enter" || !target.form || !target.closest("#note")) { return; }
    var form = target.form;
    if (target.tagName === "TEXTAREA") {
      if (!(event.ctrlKey || event.metaKey)) { return; }  // Enter alone is a new line
      event.preventDefault();
      var preferred = form.querySelector(".shorthand-preview-button, button[name=save]");
      if (preferred) { preferred.click(); } else { form.requestSubmit(); }
      return;
    }
    if (target.tagName === "SELECT") {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // Section links jump the same way their shortcut does.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#note-nav a[href^='#']");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    if (jump(link.getAttribute("href").slice(1))) {
      event.preventDefault();
      history.replaceState(null, "", link.getAttribute("href"));
    }
  });

  // --- Focus after a save --------------------------------------------------------------------

  // Each save's own landing, keyed by its request: two saves in flight at once (a field's
  // autosave on blur and the button just pressed) each settle with their own, never the other's.
  var pending = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.form || elt.closest("form"));
    // Panels refreshing themselves (units, checklist) leave the pending save alone.
    if (!form || !form.closest("#note")) { return; }
    var section = form.closest(".note-section");
    pending.set(event.detail.xhr, {
      section: section ? section.id : "",
      action: form.getAttribute("action") || "",
      draft: Boolean(elt.getAttribute && (elt.getAttribute("formaction") || "").indexOf("draft") !== -1),
      timer: (form.getAttribute("action") || "").indexOf("/timer/") !== -1
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    markShortcuts();
    var done = event.detail.xhr && pending.get(event.detail.xhr);

    var config = event.detail.requestConfig;
    if (!done || !config || config.verb !== "post") { return; }
    pending.delete(event.detail.xhr);  // a response settles several elements: the first lands
    // An outerHTML swap replaces the section: look it up again by its id.
    var section = document.getElementById(done.section);
    var next = section && section.getAttribute("data-focus-next");
    if (next) { jump(next); return; }
    var auto = section && section.querySelector("[autofocus]");
    if (auto && visible(auto)) { focusEl(auto); return; }
    if (done.draft) {
      focusEl(document.getElementById("id_reasoning_reasoning_confirmed"));
      return;
    }
    if (done.timer) { focusEl(timerButton()); return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) { return; }
    if (event.detail.xhr && event.detail.xhr.status < 400 && NEXT_SECTION[done.section]) {
      if (jump(NEXT_SECTION[done.section])) { return; }
    }
    if (!section) { return; }
    var again = section.querySelector("form[action='" + done.action + "']");
    var field = again && Array.prototype.filter.call(again.querySelectorAll(FIELDS), visible)[0];
    focusEl(field || section.querySelector("h2"));
  });

  document.addEventListener("DOMContentLoaded", function () {
    markShortcuts();
    var hash = window.location.hash.slice(1);
    if (hash && document.querySelector("#note-nav a[href='#" + hash + "']") && !document.querySelector("[autofocus]")) {
      jump(hash);
    }
  });
})();
