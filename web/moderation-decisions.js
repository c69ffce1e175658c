/*! moderation-decisions.js: deciding in the moderator console, one comment or several at once,
 * and undoing it.
 * - Select: a checkbox per card (x on the highlighted one), "Select all shown" for what the
 *   filters show. Approve selected (A) and Reject selected (R) decide each selected comment with
 *   its own call: the service decides every comment exactly once, so a comment another moderator
 *   decided first answers 409 already_decided, and the console says so per comment and does not
 *   count it as yours.
 * - Undo: for a few seconds after a decision (button, or u), POST .../reopen sends the comments
 *   back to pending (audited); the service queues them again, and the console claims them again
 *   with a later batch.
 *
 * window.ModerationDecisions.create(ctx) with ctx: shown(), remove(item), announce(text, kind),
 * lostAuthorisation(status), reopened(), and the page's elements (el).
 */
(function () {
  "use strict";

  var Api = window.ModerationApi;
  var Cards = window.ModerationCards;
  var h = Cards.h;
  var plural = Cards.plural;
  var UNDO_SECONDS = 10;
  var AT_ONCE = 4; // decisions in flight at a time

  function create(ctx) {
    var el = ctx.el;
    var undoable = null; // {entries: [{id, who}], decision, ban, until, timer}

    // ---- selecting ---------------------------------------------------------------------------

    function setSelected(item, on) {
      item.selected = !!on;
      item.select.checked = !!on;
      item.node.classList.toggle("selected", !!on);
    }

    function select(item, on) {
      setSelected(item, on);
      showSelection();
    }

    function toggle(item) {
      select(item, !item.selected);
      ctx.announce(item.selected ? "Selected. " + plural(selected().length, "comment") + " selected." : "Not selected.");
    }

    function selected() {
      return ctx.shown().filter(function (item) { return item.selected; });
    }

    function selectAllShown(on) {
      ctx.shown().forEach(function (item) { setSelected(item, on); });
      showSelection();
    }

    // What the bar says about the selection; hidden comments are never selected.
    function showSelection() {
      var shown = ctx.shown();
      var n = selected().length;
      el.count.textContent = n ? plural(n, "comment") + " selected" : "None selected";
      el.selectAll.checked = n > 0 && n === shown.length;
      el.selectAll.indeterminate = n > 0 && n < shown.length;
      el.selectAll.disabled = !shown.length;
      el.approveSelected.disabled = !n;
      el.rejectSelected.disabled = !n;
    }

    function forget(item) {
      if (item.selected) setSelected(item, false);
    }

    // ---- deciding ----------------------------------------------------------------------------

    function setBusy(item, on) {
      item.busy = on;
      item.buttons.forEach(function (b) { b.disabled = on; });
      item.select.disabled = on;
      item.node.setAttribute("aria-busy", on ? "true" : "false");
    }

    // Each comment is its own call; at most AT_ONCE in flight. Answers [{item, outcome, status, data}]:
    // outcome "mine", "other" (another moderator decided it first), "gone", "invalid" or "failed".
    function run(list, decision, ban) {
      var results = [];
      var next = 0;
      var stop = null;
      function one() {
        if (stop || next >= list.length) return Promise.resolve();
        var item = list[next++];
        var note = item.noteInput.value.trim();
        var body = { decision: decision, claim: item.claim, banAuthor: !!ban };
        if (note) body.note = note;
        return Api.decide(item.id, body).then(function (r) {
          if (Api.refused(r.status)) stop = r.status;
          var outcome = r.status === 200 ? "mine" : r.status === 409 ? "other" : r.status === 404 ? "gone"
            : r.status === 422 ? "invalid" : "failed";
          results.push({ item: item, outcome: outcome, status: r.status, data: r.data });
        }, function () {
          results.push({ item: item, outcome: "failed", status: 0, data: {} });
        }).then(one);
      }
      var workers = [];
      for (var i = 0; i < Math.min(AT_ONCE, list.length); i++) workers.push(one());
      return Promise.all(workers).then(function () {
        return { results: results, refused: stop };
      });
    }

    function decide(list, decision, ban) {
      list = list.filter(function (item) { return !item.busy; });
      if (!list.length) return Promise.resolve();
      list.forEach(function (item) { setBusy(item, true); });
      var bulk = list.length > 1;
      if (bulk) ctx.announce((decision === "approve" ? "Approving " : "Rejecting ") + plural(list.length, "comment") + "…");
      return run(list, decision, ban).then(function (done) {
        if (done.refused) return ctx.lostAuthorisation(done.refused);
        var order = {};
        list.forEach(function (item, i) { order[item.id] = i; });
        done.results.sort(function (a, b) { return order[a.item.id] - order[b.item.id]; });
        done.results.forEach(function (result) {
          setBusy(result.item, false);
          if (result.outcome === "mine" || result.outcome === "other" || result.outcome === "gone") {
            forget(result.item);
            ctx.remove(result.item);
          }
        });
        showSelection();
        var mine = done.results.filter(function (x) { return x.outcome === "mine"; });
        if (mine.length) offerUndo(mine, decision, ban);
        if (bulk) return reportBulk(done.results, decision, ban);
        reportOne(done.results[0], decision, ban);
      });
    }

    function said(decision, ban, status) {
      if (decision === "approve") return status === "published" ? "Approved — published" : "Approved";
      return ban ? "Rejected and author banned" : "Rejected";
    }

    function reportOne(result, decision, ban) {
      var item = result.item;
      var who = Cards.who(item) + ".";
      var undo = " Press u to undo.";
      switch (result.outcome) {
        case "mine":
          return ctx.announce(said(decision, ban, (result.data.comment || {}).status) + ". " + who + undo, "ok");
        case "other":
          return ctx.announce("Already decided by another moderator. " + who, "warn");
        case "gone":
          return ctx.announce("This comment no longer exists. " + who, "warn");
        case "invalid":
          ctx.announce("The service refused this decision: check the note (no control characters, at most 2,000 characters).", "error");
          return item.noteInput.focus();
        default:
          ctx.announce("Nothing was decided: the service answered " + (result.data.error || result.status || "nothing") +
            ". Try again. " + who, "error");
      }
    }

    var OUTCOME_TEXT = {
      other: "already decided by another moderator",
      gone: "no longer exists",
      invalid: "not decided: the service refused the note",
      failed: "not decided: try again (still on your list)",
    };

    // The summary in the live region, each comment's outcome in the list under it.
    function reportBulk(results, decision, ban) {
      var mine = results.filter(function (x) { return x.outcome === "mine"; }).length;
      var other = results.filter(function (x) { return x.outcome === "other"; }).length;
      var rest = results.length - mine - other;
      var verb = decision === "approve" ? "Approved" : ban ? "Rejected and banned" : "Rejected";
      var text = verb + " " + plural(mine, "comment") + ".";
      if (other) text += " " + plural(other, "comment") + (other === 1 ? " was" : " were") + " already decided by another moderator.";
      if (rest) text += " " + plural(rest, "comment") + " could not be decided.";
      if (mine) text += " Press u to undo.";
      ctx.announce(text, rest ? "error" : other ? "warn" : "ok");
      el.outcomesList.textContent = "";
      results.forEach(function (x) {
        var mineText = (decision === "approve" ? "approved" : "rejected") + " by you";
        el.outcomesList.appendChild(h("li", { class: "outcome-" + x.outcome, "data-comment-id": x.item.id }, [
          Cards.who(x.item) + ": ",
          h("strong", { text: x.outcome === "mine" ? mineText : OUTCOME_TEXT[x.outcome] }),
        ]));
      });
      el.outcomesSummary.textContent = "Last bulk action: " + verb.toLowerCase() + " " + mine + " of " + results.length
        + (other ? ", " + other + " already decided by another moderator" : "");
      el.outcomes.open = mine < results.length; // each comment that is not yours, in sight
      el.outcomes.hidden = false;
    }

    // ---- undo --------------------------------------------------------------------------------

    function offerUndo(results, decision, ban) {
      dropUndo();
      undoable = {
        entries: results.map(function (x) { return { id: x.item.id, who: Cards.who(x.item) }; }),
        decision: decision,
        ban: ban,
        until: Date.now() + UNDO_SECONDS * 1000,
      };
      var what = results.length === 1 ? results[0].item.comment.name || "(no name)" : plural(results.length, "comment");
      el.undoText.textContent = (decision === "approve" ? "Approved " : "Rejected ") +
        (results.length === 1 ? "the comment by " + what : what) + ".";
      el.undoBar.hidden = false;
      countdown();
      undoable.timer = setInterval(countdown, 1000);
    }

    function countdown() {
      if (!undoable) return;
      var left = Math.ceil((undoable.until - Date.now()) / 1000);
      if (left <= 0) return dropUndo();
      el.undoLeft.textContent = left + " s";
    }

    function dropUndo() {
      if (undoable) clearInterval(undoable.timer);
      undoable = null;
      el.undoBar.hidden = true;
    }

    function undo() {
      if (!undoable) return ctx.announce("There is no decision to undo: undo lasts " + UNDO_SECONDS + " seconds.");
      var u = undoable;
      dropUndo();
      var refusedWith = null;
      return Promise.all(u.entries.map(function (entry) {
        return Api.reopen(entry.id, "undone in the console").then(function (r) {
          if (Api.refused(r.status)) refusedWith = r.status;
          return { entry: entry, status: r.status, data: r.data };
        }, function () {
          return { entry: entry, status: 0, data: {} };
        });
      })).then(function (results) {
        if (refusedWith) return ctx.lostAuthorisation(refusedWith);
        var back = results.filter(function (x) { return x.status === 200; });
        var lifted = back.some(function (x) { return x.data.banLifted; });
        var failed = results.length - back.length;
        var text;
        if (results.length === 1) {
          text = back.length
            ? "Undone: " + u.entries[0].who + " is pending again, back in the queue."
            : "Could not undo: " + u.entries[0].who + (results[0].status === 409
              ? " was changed meanwhile (reopened or erased)." : ": the service did not answer; try Reopen later.");
        } else {
          text = "Undone: " + plural(back.length, "comment") + (back.length === 1 ? " is" : " are") + " pending again, back in the queue.";
          if (failed) text += " " + plural(failed, "comment") + " could not be undone.";
        }
        if (lifted) text += " The author's ban is lifted.";
        ctx.announce(text, failed ? "warn" : "ok");
        if (back.length) ctx.reopened();
      });
    }

    el.selectAll.addEventListener("change", function () { selectAllShown(el.selectAll.checked); });
    el.approveSelected.addEventListener("click", function () { decideSelected("approve"); });
    el.rejectSelected.addEventListener("click", function () { decideSelected("reject"); });
    el.undo.addEventListener("click", function () { undo(); });

    function decideSelected(decision) {
      var list = selected();
      if (!list.length) return ctx.announce("No comment is selected: select with x, or Select all shown.");
      return decide(list, decision, false);
    }

    showSelection();
    return {
      select: select,
      toggle: toggle,
      forget: forget,
      selected: selected,
      showSelection: showSelection,
      decide: decide,
      decideSelected: decideSelected,
      undo: undo,
      dropUndo: dropUndo,
      setBusy: setBusy,
    };
  }

  window.ModerationDecisions = { create: create };
})();
