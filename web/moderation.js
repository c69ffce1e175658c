/*! moderation.js: the moderator console (web/moderation.html). No framework, no build step.
 * Signing in and the tokens are moderation-auth.js's (window.ModerationAuth): it says where the
 * API is (/config.json) and hands over a fresh access token for each call, sent as
 * "Authorization: Bearer <token>" and never put in a URL.
 * Comment text and names are only ever set with textContent: user data never becomes HTML.
 * Claimed comments that are not decided are given back to the queue on sign-out, on reload and
 * when the page goes away.
 */
(function () {
  "use strict";

  var Auth = window.ModerationAuth;
  var MAX = 10;
  var RULES = {
    length: "Length",
    profanity: "Swearing and slurs",
    suspect_term: "Insults and borderline words",
    links: "Links",
    blocked_link: "Link shorteners",
    personal_info: "Personal details",
    shouting: "Capital letters",
    repetition: "Repetition",
    name: "Display name",
    duplicate: "Repeated comment",
    banned_author: "Banned writer",
    reported: "Reported by readers",
    premoderation: "Pre-moderated article",
    new_author: "New writer",
    author_history: "Recently rejected writer",
    spam: "Spam",
    toxicity: "Toxic language",
    akismet: "Spam filter (Akismet)",
  };
  var OUTCOME = { hold: "held for a moderator", reject: "would be refused" };

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
  };
  var items = []; // {id, claim, comment, reasons, hits, node, ...}; the list, in order
  var current = -1;
  var loading = false;
  var notes = {}; // comment id -> a note typed but not yet used (kept across a reload)
  var seq = 0;

  // ---- small helpers -------------------------------------------------------------------------

  function h(tag, props, kids) {
    var node = document.createElement(tag);
    for (var k in props || {}) {
      var v = props[k];
      if (v == null || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    (kids || []).forEach(function (kid) {
      if (kid != null) node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    });
    return node;
  }

  // A fetch that answers {status, data}; a network failure (or a session that has ended) rejects.
  // A keepalive call (the page is going away) uses the token as it is: there is no time to refresh.
  function call(method, path, body, options) {
    var keepalive = !!(options && options.keepalive);
    return (keepalive ? Promise.resolve(Auth.token()) : Auth.fresh()).then(function (auth) {
      return send(method, path, body, keepalive, auth);
    });
  }

  function send(method, path, body, keepalive, auth) {
    var init = {
      method: method,
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      keepalive: keepalive,
      headers: { Accept: "application/json", Authorization: "Bearer " + auth },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(Auth.apiUrl() + path, init).then(function (res) {
      return res.json().then(function (data) {
        return { status: res.status, data: data || {} };
      }, function () {
        return { status: res.status, data: {} };
      });
    });
  }

  function commentPath(id) {
    return "/moderation/comments/" + encodeURIComponent(id);
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function ago(iso) {
    var s = (Date.now() - Date.parse(iso)) / 1000;
    if (!(s >= 45)) return "just now";
    var steps = [[60, "minute", 3600], [3600, "hour", 86400], [86400, "day", 604800], [604800, "week", 2629800],
      [2629800, "month", 31557600], [31557600, "year", Infinity]];
    for (var i = 0; i < steps.length; i++) {
      if (s < steps[i][2]) return plural(Math.max(1, Math.round(s / steps[i][0])), steps[i][1]) + " ago";
    }
  }

  function ruleName(rule) {
    if (RULES[rule]) return RULES[rule];
    var words = String(rule || "rule").replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

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

  // ---- signing in and out --------------------------------------------------------------------

  function showSignIn() {
    el.console.hidden = true;
    el.bar.hidden = true;
    el.depth.hidden = true;
  }

  function showConsole() {
    el.console.hidden = false;
    el.bar.hidden = false;
  }

  function refused(status) {
    return status === 401 || status === 403;
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
    releaseAll().then(function () {
      el.signOut.disabled = false;
      clear();
      announce("");
      Auth.signOut("Signed out. Undecided comments went back to the queue.", "info");
    });
  }

  // ---- the queue -----------------------------------------------------------------------------

  function showDepth(data) {
    var q = (data && data.queue) || {};
    var dead = (data && data.deadLetters) || {};
    if (typeof q.waiting !== "number") return;
    el.depth.hidden = false;
    el.depth.textContent = "Queue: " + q.waiting + " waiting · " + (q.claimed || 0) + " claimed"
      + (dead.waiting ? " · " + dead.waiting + " dead-lettered" : "");
  }

  function refreshDepth() {
    return call("GET", "/moderation/queue/depth").then(function (r) {
      if (r.status === 200) showDepth(r.data);
    }, function () { /* the depth is a hint: keep the last one */ });
  }

  function clear() {
    items.forEach(function (item) {
      if (item.noteInput.value) notes[item.id] = item.noteInput.value;
    });
    items = [];
    current = -1;
    el.list.textContent = "";
  }

  // Give every undecided claim back to the queue (best effort: an expired claim needs nothing).
  function releaseAll(keepalive) {
    var open = items.filter(function (item) { return !item.busy; });
    return Promise.all(open.map(function (item) {
      item.busy = true;
      return call("POST", commentPath(item.id) + "/release", { claim: item.claim }, { keepalive: keepalive })
        .then(null, function () { /* it comes back when the claim expires */ });
    }));
  }

  function reload() {
    if (loading) return;
    if (items.some(function (item) { return item.busy; })) {
      announce("Wait for the decision in progress, then reload.", "error");
      return;
    }
    loading = true;
    el.reload.disabled = true;
    el.list.setAttribute("aria-busy", "true");
    el.note.hidden = false;
    el.note.textContent = "Loading the queue…";
    releaseAll().then(function () {
      clear();
      return call("GET", "/moderation/queue?max=" + MAX);
    }).then(function (r) {
      done();
      if (refused(r.status)) return lostAuthorisation(r.status);
      if (r.status !== 200) {
        el.note.textContent = "Could not load the queue: the service answered " + r.status + ". Try Reload queue.";
        return announce("Could not load the queue.", "error");
      }
      (r.data.items || []).forEach(function (raw) {
        var item = makeItem(raw);
        items.push(item);
        el.list.appendChild(item.node);
        loadDetail(item);
      });
      notes = {};
      refreshDepth();
      showQueueNote(true);
      if (items.length) {
        focusItem(0);
        announce("Queue loaded: " + plural(items.length, "held comment") + " claimed for you.");
      } else {
        announce("The queue is empty.");
      }
    }, function () {
      done();
      el.note.textContent = "Could not reach the moderation service. Check your connection and try Reload queue.";
      announce("Could not reach the moderation service.", "error");
    });

    function done() {
      loading = false;
      el.reload.disabled = false;
      el.list.removeAttribute("aria-busy");
    }
  }

  function showQueueNote(fresh) {
    el.note.hidden = items.length > 0;
    if (items.length) return;
    el.note.textContent = fresh
      ? "The queue is empty: no comment is waiting for a moderator."
      : "You have been through every comment you claimed. Reload the queue for more.";
  }

  // ---- one held comment ----------------------------------------------------------------------

  function makeItem(raw) {
    var comment = raw.comment || {};
    var p = "item" + ++seq + "-";
    var item = { id: comment.id, claim: raw.claim, comment: comment, reasons: raw.reasons || [], hits: [], busy: false };
    item.name = h("span", { class: "name" }, [comment.name || "(no name)"]);
    item.text = h("div", { class: "text", id: p + "text", role: "group", "aria-labelledby": p + "text-label" }, [comment.body || "(no text)"]);
    item.reasonList = h("ul", { class: "reasons", id: p + "reasons" });
    item.noteInput = h("input", { type: "text", id: p + "note", class: "note-input", maxlength: "2000", autocomplete: "off" });
    item.noteInput.value = notes[item.id] || "";
    item.noteInput.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        e.preventDefault();
        item.node.focus();
      }
    });
    function button(label, keys, cls, action) {
      return h("button", { type: "button", class: "button " + cls, "aria-keyshortcuts": keys, onclick: action }, [
        label, h("kbd", { "aria-hidden": "true", text: keys }),
      ]);
    }
    item.buttons = [
      button("Approve", "a", "approve", function () { decide(item, "approve", false); }),
      button("Reject", "r", "reject", function () { decide(item, "reject", false); }),
      button("Reject and ban", "b", "ban", function () { decide(item, "reject", true); }),
      button("Skip", "s", "quiet", function () { skip(item); }),
    ];
    var created = comment.createdAt ? h("time", { datetime: comment.createdAt, title: new Date(comment.createdAt).toLocaleString() }, [ago(comment.createdAt)]) : null;
    var meta = h("p", { class: "meta", id: p + "meta" }, [
      "On article ", h("code", { class: "article", text: comment.articleId || "?" }),
      created ? " · " : null, created,
      comment.parentId ? " · a reply to another comment" : null,
    ]);
    item.node = h("li", {
      class: "item",
      tabindex: "-1",
      "data-comment-id": comment.id,
      "aria-labelledby": p + "title",
      "aria-describedby": p + "meta " + p + "reasons",
    }, [
      h("h3", { class: "title", id: p + "title" }, ["Comment by ", item.name]),
      meta,
      h("div", { class: "why" }, [h("p", { class: "why-label", text: "Held because:" }), item.reasonList]),
      h("p", { class: "text-label", id: p + "text-label", text: "The comment (flagged passages highlighted):" }),
      item.text,
      h("div", { class: "note" }, [h("label", { for: item.noteInput.id, text: "Note (optional)" }), item.noteInput]),
      h("div", { class: "actions", role: "group", "aria-label": "Decide" }, item.buttons),
    ]);
    item.node.addEventListener("focusin", function () {
      var i = items.indexOf(item);
      if (i >= 0) setCurrent(i);
    });
    renderReasons(item);
    return item;
  }

  function renderReasons(item) {
    item.reasonList.textContent = "";
    var reasons = item.reasons.length ? item.reasons : item.hits.map(function (hit) { return { rule: hit.rule, message: hit.message }; });
    reasons.forEach(function (reason) {
      var hit = item.hits.filter(function (x) { return x.rule === reason.rule; });
      var marked = hit.reduce(function (n, x) { return n + (x.spans || []).length; }, 0);
      var verdict = hit.length ? OUTCOME[hit[0].verdict] : null;
      var where = hit.length && hit[0].field === "name" ? "in the name" : "in the text";
      item.reasonList.appendChild(h("li", { "data-rule": reason.rule }, [
        h("strong", { text: ruleName(reason.rule) }),
        verdict ? " (" + verdict + ")" : null,
        ": ",
        reason.message || "",
        marked ? " " + plural(marked, "passage") + " highlighted " + where + "." : null,
      ]));
    });
    if (!reasons.length) item.reasonList.appendChild(h("li", { text: "No rule recorded." }));
  }

  function loadDetail(item) {
    call("GET", commentPath(item.id)).then(function (r) {
      if (r.status !== 200 || items.indexOf(item) < 0) return;
      var c = r.data.comment || item.comment;
      item.hits = Array.isArray(r.data.hits) ? r.data.hits : [];
      if (r.data.reasons && r.data.reasons.length && !item.reasons.length) item.reasons = r.data.reasons;
      item.name.textContent = "";
      item.name.appendChild(highlighted(c.name || "(no name)", item.hits, "name"));
      item.text.textContent = "";
      item.text.appendChild(highlighted(c.body || "(no text)", item.hits, "body"));
      renderReasons(item);
    }, function () { /* the text stays, without highlights */ });
  }

  // The text as DOM nodes, each passage a hit covers in a <mark>. Spans are [start, end) offsets in
  // code points (the service's str indices); Array.from splits the text the same way.
  function highlighted(text, hits, field) {
    var chars = Array.from(text);
    var cover = new Array(chars.length);
    hits.forEach(function (hit) {
      if ((hit.field || "body") !== field) return;
      (hit.spans || []).forEach(function (span) {
        var start = Math.max(0, span[0] | 0);
        var end = Math.min(chars.length, span[1] | 0);
        for (var i = start; i < end; i++) {
          cover[i] = cover[i] || [];
          if (cover[i].indexOf(hit) < 0) cover[i].push(hit);
        }
      });
    });
    var out = document.createDocumentFragment();
    var i = 0;
    while (i < chars.length) {
      var by = cover[i];
      var j = i + 1;
      while (j < chars.length && same(cover[j], by)) j++;
      var piece = chars.slice(i, j).join("");
      if (!by) {
        out.appendChild(document.createTextNode(piece));
      } else {
        var reject = by.some(function (hit) { return hit.verdict === "reject"; });
        out.appendChild(h("mark", {
          class: "hit" + (reject ? " hit-reject" : ""),
          "data-rules": by.map(function (hit) { return hit.rule; }).join(" "),
          title: by.map(function (hit) { return ruleName(hit.rule); }).join(", "),
        }, [piece]));
      }
      i = j;
    }
    return out;
  }

  function same(a, b) {
    if (!a || !b) return a === b;
    return a.length === b.length && a.every(function (x, k) { return x === b[k]; });
  }

  // ---- moving around -------------------------------------------------------------------------

  function setCurrent(i) {
    if (i === current && items[i] && items[i].node.classList.contains("current")) return;
    items.forEach(function (item, k) {
      item.node.classList.toggle("current", k === i);
      item.node.setAttribute("tabindex", k === i ? "0" : "-1");
      if (k === i) item.node.setAttribute("aria-current", "true");
      else item.node.removeAttribute("aria-current");
    });
    current = i;
  }

  function focusItem(i) {
    if (!items.length) return;
    i = Math.max(0, Math.min(items.length - 1, i));
    setCurrent(i);
    items[i].node.focus();
    if (items[i].node.scrollIntoView) items[i].node.scrollIntoView({ block: "nearest" });
  }

  function removeItem(item) {
    var i = items.indexOf(item);
    if (i < 0) return;
    var hadFocus = item.node.contains(document.activeElement) || document.activeElement === document.body;
    items.splice(i, 1);
    delete notes[item.id];
    item.node.parentNode.removeChild(item.node);
    current = -1;
    if (items.length) {
      if (hadFocus) focusItem(Math.min(i, items.length - 1));
      else setCurrent(Math.min(i, items.length - 1));
    } else {
      showQueueNote(false);
      if (hadFocus) el.reload.focus();
    }
    refreshDepth();
  }

  function setBusy(item, on) {
    item.busy = on;
    item.buttons.forEach(function (b) { b.disabled = on; });
    item.node.setAttribute("aria-busy", on ? "true" : "false");
  }

  // ---- decisions -----------------------------------------------------------------------------

  function decide(item, decision, ban) {
    if (item.busy || items.indexOf(item) < 0) return;
    setBusy(item, true);
    var note = item.noteInput.value.trim();
    var who = "Comment by " + (item.comment.name || "(no name)") + " on " + (item.comment.articleId || "?");
    var body = { decision: decision, claim: item.claim, banAuthor: !!ban };
    if (note) body.note = note;
    call("POST", commentPath(item.id) + "/decision", body).then(function (r) {
      setBusy(item, false);
      if (refused(r.status)) return lostAuthorisation(r.status);
      if (r.status === 200) {
        var status = (r.data.comment || {}).status;
        removeItem(item);
        var said = status === "published" ? "Approved — published" : ban ? "Rejected and author banned" : "Rejected";
        return announce(said + ". " + who + ".", "ok");
      }
      if (r.status === 409) {
        removeItem(item);
        return announce("Already decided by another moderator. " + who + ".", "warn");
      }
      if (r.status === 404) {
        removeItem(item);
        return announce("This comment no longer exists. " + who + ".", "warn");
      }
      if (r.status === 422) {
        announce("The service refused this decision: check the note (no control characters, at most 2,000 characters).", "error");
        return item.noteInput.focus();
      }
      announce("Nothing was decided: the service answered " + (r.data.error || r.status) + ". Try again.", "error");
    }, function () {
      setBusy(item, false);
      announce("Could not reach the moderation service. Nothing was decided; try again.", "error");
    });
  }

  function skip(item) {
    if (item.busy || items.indexOf(item) < 0) return;
    setBusy(item, true);
    call("POST", commentPath(item.id) + "/release", { claim: item.claim }).then(function (r) {
      setBusy(item, false);
      if (refused(r.status)) return lostAuthorisation(r.status);
      removeItem(item); // a 400 is an expired claim: it is back in the queue already
      announce("Skipped: back in the queue for another moderator. Comment by " + (item.comment.name || "(no name)") + ".");
    }, function () {
      setBusy(item, false);
      announce("Could not reach the moderation service. The comment is still yours; try again.", "error");
    });
  }

  // ---- the keyboard --------------------------------------------------------------------------

  function typing(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])");
  }

  document.addEventListener("keydown", function (e) {
    if (el.console.hidden || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    if (typing(e.target) || e.isComposing) return;
    var key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    var item = items[current] || items[0];
    switch (key) {
      case "j":
      case "ArrowDown":
        if (!items.length) return;
        focusItem(current < 0 ? 0 : current + 1);
        break;
      case "k":
      case "ArrowUp":
        if (!items.length) return;
        focusItem(current < 0 ? 0 : current - 1);
        break;
      case "a":
      case "r":
      case "b":
        if (!item) return announce("There is no comment to decide. Reload the queue for more.");
        if (current < 0) focusItem(0);
        decide(item, key === "a" ? "approve" : "reject", key === "b");
        break;
      case "s":
        if (!item) return;
        if (current < 0) focusItem(0);
        skip(item);
        break;
      case "n":
        if (!item) return;
        item.noteInput.focus();
        break;
      default:
        return;
    }
    e.preventDefault();
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
    if (Auth.token()) releaseAll(true);
  });
  window.addEventListener("pageshow", function (e) {
    // Back from the back-forward cache: the claims were given back on the way out.
    if (!e.persisted || !Auth.token() || el.console.hidden) return;
    clear();
    reload();
  });
  setInterval(function () {
    items.forEach(function (item) {
      var t = item.node.querySelector("time");
      if (t) t.textContent = ago(item.comment.createdAt);
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
      showSignIn();
    },
  });
})();
