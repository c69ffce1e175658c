/*! moderation.js: the moderator console (web/moderation.html): the list of held comments this
 * console has claimed, moving through it, deciding and skipping. No framework, no build step. Its parts are plain scripts the page loads before this one:
 *   moderation-auth.js       signing in (window.ModerationAuth)
 *   moderation-api.js        the moderation routes (window.ModerationApi)
 *   moderation-cards.js      a held comment's card and its context (window.ModerationCards)
 *   moderation-claims.js     renewing claims on screen, giving them back (window.ModerationClaims)
 *   moderation-decisions.js  select, decide one or several, undo (window.ModerationDecisions)
 *   moderation-filters.js    filters by rule and by article (window.ModerationFilters)
 *   moderation-keys.js       the keyboard (window.ModerationKeys)
 * The list fills itself: the console claims ten held comments at a time, and the next ten when
 * fewer than LOW_WATER of those it shows are left after the highlighted one (never holding more
 * than HOLD_AT_MOST); the queue depth is asked for every few seconds. Claimed comments that are
 * not decided are given back to the queue on sign-out, on reload and when the page goes away.
 */
(function () {
  "use strict";

  var Auth = window.ModerationAuth;
  var Api = window.ModerationApi;
  var Cards = window.ModerationCards;
  var MAX = 10; // a batch: the most GET /moderation/queue claims at once
  var LOW_WATER = 4; // load the next batch when fewer comments than this are left ahead
  var HOLD_AT_MOST = 30; // never hold more claims than this: other moderators wait for them
  var TICK_MS = 5000; // the queue depth, and more comments when the list runs low
  var QUIET_MS = 20000; // after a batch that brought nothing new, wait this long before asking again

  // The names the console's code uses (and code appended to this file may use).
  var h = Cards.h;
  var plural = Cards.plural;
  var ruleName = Cards.ruleLabel;
  var call = Api.call;
  var refused = Api.refused;

  var $ = function (id) { return document.getElementById(id); };
  var el = {
    console: $("console"),
    heading: $("queue-heading"),
    bar: $("bar-actions"),
    reload: $("reload"),
    signOut: $("sign-out"),
    depth: $("depth"),
    announce: $("announce"),
    note: $("queue-note"),
    list: $("queue"),
    listed: $("listed"),
    keys: $("keys"),
    toolbar: $("toolbar"),
  };
  var items = []; // the cards on the list, in order (ModerationCards items)
  var current = null; // the highlighted card
  var signedIn = false;
  var loading = false;
  var quietUntil = 0;
  var emptied = false; // the list ran empty after work (rather than a queue found empty)
  var skipped = {}; // comment id -> true: skipped in this tab, given back whenever it comes round
  var notes = {}; // comment id -> a note typed but not yet used (kept across a reload)
  var lastDepth = null;

  var announceTimer = null;
  // The live region: cleared first, so the same words twice in a row are announced twice.
  function announce(text, kind) {
    clearTimeout(announceTimer);
    el.announce.textContent = "";
    el.announce.className = "announce" + (kind ? " " + kind : "");
    announceTimer = setTimeout(function () {
      el.announce.textContent = text;
    }, 50);
  }

  var claims = window.ModerationClaims.create({
    lost: function (item, why) {
      removeItem(item);
      var who = Cards.who(item) + " left your list: ";
      if (why === "taken") announce(who + "your claim lapsed and another moderator has it now.", "warn");
      else if (why === "gone") announce(who + "it no longer exists.", "warn");
      else announce(who + "another moderator decided it.", "warn");
    },
    refused: lostAuthorisation,
  });

  var decisions = window.ModerationDecisions.create({
    el: {
      selectAll: $("select-all"),
      count: $("selected-count"),
      approveSelected: $("approve-selected"),
      rejectSelected: $("reject-selected"),
      undoBar: $("undo-bar"),
      undoText: $("undo-text"),
      undoLeft: $("undo-left"),
      undo: $("undo"),
      outcomes: $("outcomes"),
      outcomesSummary: $("outcomes-summary"),
      outcomesList: $("outcomes-list"),
    },
    shown: shown,
    remove: removeItem,
    announce: announce,
    lostAuthorisation: lostAuthorisation,
    // Undone comments are pending again and queued by the service: look for them soon.
    reopened: function () { quietUntil = 0; },
  });

  var filters = window.ModerationFilters.create({ rule: $("filter-rule"), article: $("filter-article") }, applyFilters);

  // Each card's context loads when the card comes into sight or is highlighted, a few at a time.
  var context = Cards.contextLoader({
    loaded: function () {
      filters.refresh(items);
      showListed();
    },
  });

  var cardHooks = {
    decide: function (item, decision, ban) { decisions.decide([item], decision, ban); },
    skip: skip,
    select: function (item, on) { decisions.select(item, on); },
    focused: function (item) {
      if (items.indexOf(item) < 0 || current === item) return;
      setCurrent(item);
      context.want(item, true);
      topUp();
    },
  };

  // ---- signing in and out --------------------------------------------------------------------

  function showSignIn() {
    signedIn = false;
    el.console.hidden = true;
    el.bar.hidden = true;
    el.depth.hidden = true;
  }

  function showConsole() {
    signedIn = true;
    el.console.hidden = false;
    el.bar.hidden = false;
  }

  // The service refused the token while signed in: sign out and say why.
  function lostAuthorisation(status) {
    clear();
    Auth.signOut(status === 403
      ? "Not authorised: this account is not in the moderators group. Ask whoever runs the comment service."
      : "Your session has ended. Please sign in again.");
  }

  function signOut() {
    el.signOut.disabled = true;
    claims.releaseAll().then(function () {
      el.signOut.disabled = false;
      clear();
      announce("");
      Auth.signOut("Signed out. Undecided comments went back to the queue.", "info");
    });
  }

  // ---- the queue depth -----------------------------------------------------------------------

  function showDepth(data) {
    var q = (data && data.queue) || {};
    var dead = (data && data.deadLetters) || {};
    if (typeof q.waiting !== "number") return;
    el.depth.hidden = false;
    el.depth.textContent = "Queue: " + q.waiting + " waiting · " + (q.claimed || 0) + " claimed"
      + (dead.waiting ? " · " + dead.waiting + " dead-lettered" : "");
  }

  var depthAsked = null;
  function refreshDepth() {
    if (!signedIn) return Promise.resolve();
    if (depthAsked) return depthAsked;
    depthAsked = Api.depth().then(function (r) {
      depthAsked = null;
      if (r.status !== 200) return;
      lastDepth = r.data;
      showDepth(r.data);
    }, function () { depthAsked = null; /* the depth is a hint: keep the last one */ });
    return depthAsked;
  }

  var depthTimer = null;
  function depthSoon() {
    clearTimeout(depthTimer);
    depthTimer = setTimeout(refreshDepth, 300);
  }

  // Every few seconds while the console is in sight: the depth, and more comments if the list is low.
  function tick() {
    if (!signedIn || el.console.hidden || document.visibilityState === "hidden") return;
    refreshDepth().then(function () {
      var q = (lastDepth && lastDepth.queue) || {};
      if (q.waiting > 0) topUp();
    });
  }

  // ---- the list ------------------------------------------------------------------------------

  function shown() {
    return items.filter(function (item) { return !item.node.hidden; });
  }

  function clear() {
    items.forEach(function (item) {
      if (item.noteInput.value) notes[item.id] = item.noteInput.value;
      claims.drop(item);
      context.forget(item);
    });
    items = [];
    current = null;
    el.list.textContent = "";
    filters.refresh(items);
    decisions.showSelection();
    showListed();
  }

  function reload() {
    if (loading || !signedIn) return;
    if (items.some(function (item) { return item.busy; })) {
      announce("Wait for the decision in progress, then reload.", "error");
      return;
    }
    loading = true;
    el.reload.disabled = true;
    claims.releaseAll().then(function () {
      clear();
      loading = false;
      quietUntil = 0;
      emptied = false;
      return load(true);
    }).then(function () {
      el.reload.disabled = false;
    });
  }

  // Claims the next batch and adds it at the end of the list. `fresh`: the first load (or a reload).
  function load(fresh) {
    if (loading || !signedIn) return Promise.resolve();
    loading = true;
    el.list.setAttribute("aria-busy", "true");
    showListed();
    if (!fresh) showQueueNote();
    if (fresh) {
      el.note.hidden = false;
      el.note.textContent = "Loading the queue…";
    }
    return Api.queue(MAX).then(function (r) {
      done();
      if (refused(r.status)) return lostAuthorisation(r.status);
      if (r.status !== 200) {
        quietUntil = Date.now() + QUIET_MS;
        if (!items.length) {
          el.note.hidden = false;
          el.note.textContent = "Could not load the queue: the service answered " + r.status + ". Try Reload queue.";
        }
        return announce("Could not load the queue.", "error");
      }
      var added = add(r.data.items || [], r.data.claimSeconds);
      quietUntil = added.length ? 0 : Date.now() + QUIET_MS;
      if (fresh) notes = {};
      depthSoon();
      showQueueNote();
      if (added.length) {
        emptied = false;
        if (!current || current.node.hidden) {
          var first = shown()[0] || null;
          var free = !document.activeElement || document.activeElement === document.body
            || document.activeElement === el.reload || fresh;
          if (free) focusItem(first);
          else setCurrent(first);
        }
        if (fresh) announce("Queue loaded: " + plural(items.length, "held comment") + " claimed for you.");
        topUp(); // still low: a short batch
      } else if (fresh) {
        announce("The queue is empty.");
      }
    }, function () {
      done();
      quietUntil = Date.now() + QUIET_MS;
      if (!items.length) {
        el.note.hidden = false;
        el.note.textContent = "Could not reach the moderation service. Check your connection and try Reload queue.";
      }
      announce("Could not reach the moderation service.", "error");
    });

    function done() {
      loading = false;
      el.list.removeAttribute("aria-busy");
      showListed();
      showQueueNote();
    }
  }

  function add(raws, claimSeconds) {
    var added = [];
    raws.forEach(function (raw) {
      var id = raw.comment && raw.comment.id;
      if (!id) return;
      if (skipped[id]) { // skipped in this tab: straight back to the queue for someone else
        Api.release(id, raw.claim).then(null, function () { /* it lapses */ });
        return;
      }
      var known = items.filter(function (item) { return item.id === id; })[0];
      if (known) { // claimed again (its claim had lapsed): the new claim is the live one
        known.claim = raw.claim;
        claims.hold(known, claimSeconds);
        return;
      }
      var item = Cards.make(raw, cardHooks);
      item.noteInput.value = notes[id] || "";
      item.node.hidden = !filters.matches(item);
      items.push(item);
      el.list.appendChild(item.node);
      claims.hold(item, claimSeconds);
      context.observe(item);
      added.push(item);
    });
    filters.refresh(items);
    decisions.showSelection();
    showListed();
    return added;
  }

  // More comments when few of those shown are left after the highlighted one.
  function wantMore() {
    if (items.length >= HOLD_AT_MOST) return false;
    var list = shown();
    return list.length - (list.indexOf(current) + 1) < LOW_WATER;
  }

  function topUp() {
    if (!signedIn || loading || Date.now() < quietUntil || !wantMore()) return;
    load(false);
  }

  function showListed() {
    var list = shown();
    var text = filters.active()
      ? list.length + " of " + items.length + " shown (" + filters.describe() + ")"
      : plural(items.length, "comment") + " on your list";
    el.listed.textContent = text + (loading ? " · loading more…" : "");
  }

  function showQueueNote() {
    if (shown().length) {
      el.note.hidden = true;
      return;
    }
    el.note.hidden = false;
    if (loading && !items.length) {
      el.note.textContent = "Loading more held comments…";
    } else if (items.length) {
      el.note.textContent = "No comment on your list matches the filters (" + filters.describe() + ").";
    } else if (emptied) {
      el.note.textContent = "You have been through every comment you claimed. New ones appear here as they are held.";
    } else {
      el.note.textContent = "The queue is empty: no comment is waiting for a moderator.";
    }
  }

  function applyFilters() {
    items.forEach(function (item) {
      var on = filters.matches(item);
      item.node.hidden = !on;
      if (!on) decisions.forget(item);
    });
    decisions.showSelection();
    if (current && current.node.hidden) setCurrent(shown()[0] || null);
    showListed();
    showQueueNote();
    topUp();
  }

  // ---- moving around -------------------------------------------------------------------------

  function setCurrent(item) {
    if (current && current !== item) {
      current.node.classList.remove("current");
      current.node.setAttribute("tabindex", "-1");
      current.node.removeAttribute("aria-current");
    }
    current = item;
    if (!item) return;
    item.node.classList.add("current");
    item.node.setAttribute("tabindex", "0");
    item.node.setAttribute("aria-current", "true");
  }

  function focusItem(item) {
    if (!item) return;
    setCurrent(item);
    item.node.focus();
    if (item.node.scrollIntoView) item.node.scrollIntoView({ block: "nearest" });
    context.want(item, true);
    var list = shown();
    context.want(list[list.indexOf(item) + 1]); // the next one, ready when the moderator gets there
    topUp();
  }

  function move(delta) {
    var list = shown();
    if (!list.length) return;
    var i = list.indexOf(current);
    focusItem(i < 0 ? list[0] : list[Math.max(0, Math.min(list.length - 1, i + delta))]);
  }

  function removeItem(item) {
    var i = items.indexOf(item);
    if (i < 0) return;
    var at = shown().indexOf(item);
    var active = document.activeElement;
    var hadFocus = !active || active === document.body || item.node.contains(active);
    claims.drop(item);
    decisions.forget(item);
    context.forget(item);
    items.splice(i, 1);
    delete notes[item.id];
    item.node.parentNode.removeChild(item.node);
    if (current === item) {
      current = null;
      var rest = shown();
      var next = rest[Math.max(0, Math.min(at, rest.length - 1))] || null;
      if (next && hadFocus) focusItem(next);
      else setCurrent(next);
    }
    if (!items.length) {
      emptied = true;
      if (hadFocus) el.reload.focus();
    }
    filters.refresh(items);
    decisions.showSelection();
    showListed();
    showQueueNote();
    depthSoon();
    topUp();
  }

  // ---- skipping ------------------------------------------------------------------------------

  function skip(item) {
    if (item.busy || items.indexOf(item) < 0) return;
    decisions.setBusy(item, true);
    claims.release(item).then(function (r) {
      decisions.setBusy(item, false);
      if (refused(r.status)) return lostAuthorisation(r.status);
      skipped[item.id] = true; // a 200 with released false: decided or lapsed, so back already
      removeItem(item);
      announce("Skipped: back in the queue for another moderator. Comment by " + (item.comment.name || "(no name)") + ".");
    }, function () {
      decisions.setBusy(item, false);
      claims.hold(item, item.claimSeconds);
      announce("Could not reach the moderation service. The comment is still yours; try again.", "error");
    });
  }

  // ---- the keyboard (moderation-keys.js) ------------------------------------------------------

  window.ModerationKeys.install({
    active: function () { return signedIn && !el.console.hidden; },
    // The card a key acts on: the highlighted one, else the first shown.
    target: function () { return current && !current.node.hidden ? current : shown()[0]; },
    highlighted: function () { return current; },
    move: move,
    focus: focusItem,
    decide: function (item, decision, ban) { decisions.decide([item], decision, ban); },
    decideSelected: decisions.decideSelected,
    skip: skip,
    toggle: decisions.toggle,
    undo: decisions.undo,
    focusFilters: filters.focus,
    loading: function () { return loading; },
    announce: announce,
  });

  // ---- policy statistics: which rules are too strict (GET /moderation/policy/stats) --------------

  function showStats() {
    var note = $("stats-note"), table = $("stats-table"), rows = $("stats-rows");
    if (!$("stats").open) return;
    note.textContent = "Loading the policy statistics…";
    call("GET", "/moderation/policy/stats?days=30").then(function (r) {
      if (refused(r.status)) return lostAuthorisation(r.status);
      if (r.status !== 200) { note.textContent = "The statistics could not be loaded (" + r.status + ")."; return; }
      var rules = r.data.rules || [];
      $("stats-caption").textContent = "From " + r.data.from + " to " + r.data.to + " (UTC)";
      rows.textContent = "";
      rules.forEach(function (rule) {
        var waiting = Math.max(0, rule.held - rule.approved - rule.rejected);
        var share = rule.approvedShare == null ? "–" : Math.round(rule.approvedShare * 100) + "%";
        var cells = [ruleName(rule.rule), rule.held, rule.approved, rule.rejected, waiting, share];
        rows.appendChild(h("tr", { "data-rule": rule.rule }, cells.map(function (value, i) {
          return h(i ? "td" : "th", i ? {} : { scope: "row" }, [String(value)]);
        })));
      });
      table.hidden = !rules.length;
      note.textContent = rules.length ? "" : "No comment was held in the last 30 days.";
    }, function () {
      note.textContent = "The statistics could not be loaded: the service did not answer.";
    });
  }

  // ---- start ---------------------------------------------------------------------------------

  $("stats").addEventListener("toggle", showStats);
  el.reload.addEventListener("click", reload);
  el.signOut.addEventListener("click", signOut);
  window.addEventListener("pagehide", function () {
    if (Auth.token()) claims.releaseAll(true);
  });
  window.addEventListener("pageshow", function (e) {
    // Back from the back-forward cache: the claims were given back on the way out.
    if (!e.persisted || !Auth.token() || el.console.hidden) return;
    clear();
    reload();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !signedIn) return;
    claims.catchUp(); // timers of a background tab may not have run
    tick();
  });
  setInterval(tick, TICK_MS);
  setInterval(function () {
    items.forEach(function (item) {
      Array.prototype.forEach.call(item.node.querySelectorAll("time[datetime]"), function (t) {
        t.textContent = Cards.ago(t.getAttribute("datetime"));
      });
    });
  }, 30000);

  Auth.start({
    signedIn: function () {
      showConsole();
      refreshDepth();
      reload();
    },
    signedOut: function () {
      clear();
      decisions.dropUndo();
      $("outcomes").hidden = true;
      showSignIn();
    },
  });
})();
