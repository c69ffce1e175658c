/*! moderation-keys.js: the moderator console from the keyboard alone (web/moderation.html lists the
 * keys under "Keyboard shortcuts", which ? opens). The keys act on the highlighted comment and do
 * nothing while the moderator types in a field (a checkbox is no field); Esc goes back from the
 * filters, the shortcuts or the bar to the highlighted comment.
 *
 * window.ModerationKeys.install(c) with c: active(), target(), highlighted(), move(delta),
 * focus(item), decide(item, decision, ban), decideSelected(decision), skip(item), toggle(item),
 * undo(), focusFilters(), loading(), announce(text).
 */
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) return false;
    var field = target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])");
    return !!field && !(field.type === "checkbox" || field.type === "radio" || field.type === "button");
  }

  function install(c) {
    var keys = document.getElementById("keys");

    function toggleHelp() {
      keys.open = !keys.open;
      if (keys.open) keys.querySelector("summary").focus();
      else if (c.highlighted()) c.focus(c.highlighted());
    }

    function backToList(target) {
      if (!target || !target.closest || !target.closest("#toolbar, #keys, #undo-bar, #outcomes, .bar")) return false;
      if (target.closest("#keys")) keys.open = false;
      var item = c.target();
      if (!item) return false;
      c.focus(item);
      return true;
    }

    document.addEventListener("keydown", function (e) {
      if (!c.active() || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (e.key === "Escape") {
        if (backToList(e.target)) e.preventDefault();
        return;
      }
      if (typing(e.target)) return;
      var key = e.key.length === 1 && !e.shiftKey ? e.key.toLowerCase() : e.key; // caps lock is not shift
      var item = c.target();
      switch (key) {
        case "j":
        case "ArrowDown":
          c.move(1);
          break;
        case "k":
        case "ArrowUp":
          c.move(-1);
          break;
        case "a":
        case "r":
        case "b":
          if (!item) return c.announce(c.loading() ? "More comments are loading." : "There is no comment to decide.");
          if (!c.highlighted()) c.focus(item);
          c.decide(item, key === "a" ? "approve" : "reject", key === "b");
          break;
        case "A":
        case "R":
          c.decideSelected(key === "A" ? "approve" : "reject");
          break;
        case "s":
          if (!item) return;
          if (!c.highlighted()) c.focus(item);
          c.skip(item);
          break;
        case "n":
          if (!item) return;
          item.noteInput.focus();
          break;
        case "x":
          if (!item) return;
          if (!c.highlighted()) c.focus(item);
          c.toggle(item);
          break;
        case "u":
          c.undo();
          break;
        case "/":
        case "f":
          c.focusFilters();
          break;
        case "?":
          toggleHelp();
          break;
        default:
          return;
      }
      e.preventDefault();
    });
  }

  window.ModerationKeys = { install: install };
})();
