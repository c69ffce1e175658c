/*! moderation-cards.js: one held comment as a compact card in the moderator console
 * (web/moderation.html): who wrote it, on which article, why it was held (short labels; the words
 * the writer was given on demand), the text with every policy hit highlighted, and, once the card
 * is looked at, the context to decide it (GET /moderation/comments/{id}: the article's title and
 * link, the comment it answers, its earlier texts, the author's history).
 * Comment text and names are only ever set with textContent: user data never becomes HTML. Links
 * are made only from https URLs.
 *
 * window.ModerationCards: make(raw, hooks), showDetail(item, data), contextLoader(hooks),
 * ruleLabel(rule), h(...), plural(n, word), ago(iso), who(item), articleLabel(item).
 */
(function () {
  "use strict";

  // The one place that maps a policy rule to the label moderators see; any other rule shows its id.
  var LABELS = {
    length: "Length",
    profanity: "Profanity",
    suspect_term: "Insult",
    links: "Links",
    blocked_link: "Blocked link",
    personal_info: "Personal info",
    shouting: "Shouting",
    repetition: "Repetition",
    name: "Name",
    duplicate: "Duplicate",
    banned_author: "Banned author",
    reported: "Reported",
    premoderation: "Pre-moderated",
    threat: "Threat",
    self_harm: "Self-harm",
    hate: "Hate",
    spam: "Spam",
    new_author: "New author",
    author_history: "Author history",
    toxicity: "Toxicity",
    akismet: "Akismet",
    honeypot: "Honeypot",
  };
  var OUTCOME = { hold: "holds", reject: "would refuse" };
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

  function ruleLabel(rule) {
    return LABELS[rule] || String(rule || "rule");
  }

  function time(iso) {
    if (!iso) return null;
    return h("time", { datetime: iso, title: new Date(iso).toLocaleString() }, [ago(iso)]);
  }

  // Only an https URL becomes a link (the service checks it too; a console never trusts it).
  function httpsUrl(value) {
    try {
      var url = new URL(String(value || ""));
      return url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function status(value) {
    return h("span", { class: "status status-" + String(value || "unknown"), text: value || "unknown" });
  }

  function articleLabel(item) {
    return item.article.title || item.comment.articleId || "?";
  }

  function who(item) {
    return "Comment by " + (item.comment.name || "(no name)") + " on " + articleLabel(item);
  }

  // ---- the card ------------------------------------------------------------------------------

  // hooks: decide(item, decision, ban), skip(item), select(item, on), focused(item)
  function make(raw, hooks) {
    var comment = raw.comment || {};
    var p = "c" + ++seq + "-";
    var item = {
      id: comment.id,
      claim: raw.claim,
      comment: comment,
      reasons: raw.reasons || [],
      hits: [],
      article: { id: comment.articleId, title: null, url: null },
      detail: null, // null, "loading" or "loaded"
      busy: false,
      selected: false,
    };
    item.name = h("span", { class: "name" }, [comment.name || "(no name)"]);
    item.articleSlot = h("span", { class: "article-slot" }, [h("code", { class: "article", text: comment.articleId || "?" })]);
    item.text = h("div", { class: "text", role: "group", "aria-label": "The comment (flagged passages highlighted)" },
      [comment.body || "(no text)"]);
    item.reasonBox = h("details", { class: "reasons", id: p + "reasons" });
    item.context = h("div", { class: "context", "aria-busy": "true" });
    item.select = h("input", { type: "checkbox", class: "select", "aria-label": "Select: comment by " + (comment.name || "(no name)") });
    item.select.addEventListener("change", function () { hooks.select(item, item.select.checked); });
    item.noteInput = h("input", {
      type: "text", class: "note-input", maxlength: "2000", autocomplete: "off",
      "aria-label": "Note (optional)", placeholder: "Note (optional)",
    });
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
      button("Approve", "a", "approve", function () { hooks.decide(item, "approve", false); }),
      button("Reject", "r", "reject", function () { hooks.decide(item, "reject", false); }),
      button("Reject and ban", "b", "ban", function () { hooks.decide(item, "reject", true); }),
      button("Skip", "s", "quiet", function () { hooks.skip(item); }),
    ];
    var meta = h("p", { class: "meta", id: p + "meta" }, [
      "on ", item.articleSlot,
      comment.createdAt ? " · " : null, time(comment.createdAt),
      comment.parentId ? " · a reply" : null,
    ]);
    item.node = h("li", {
      class: "item",
      tabindex: "-1",
      "data-comment-id": comment.id,
      "aria-labelledby": p + "title",
      "aria-describedby": p + "meta " + p + "reasons",
    }, [
      h("div", { class: "head" }, [
        h("label", { class: "pick" }, [item.select]),
        h("h3", { class: "title", id: p + "title" }, ["Comment by ", item.name]),
        meta,
      ]),
      item.reasonBox,
      item.context,
      item.text,
      h("div", { class: "actions", role: "group", "aria-label": "Decide" }, item.buttons.concat([item.noteInput])),
    ]);
    item.node.addEventListener("focusin", function () { hooks.focused(item); });
    renderReasons(item);
    return item;
  }

  // The reasons as short labels; the words the writer was given, and what each rule flagged, on demand.
  function renderReasons(item) {
    var box = item.reasonBox;
    var open = box.open;
    box.textContent = "";
    var reasons = item.reasons.length ? item.reasons : item.hits.map(function (hit) { return { rule: hit.rule, message: hit.message }; });
    var chips = reasons.map(function (reason) {
      return h("span", { class: "chip", "data-rule": reason.rule, title: reason.message || "" }, [ruleLabel(reason.rule)]);
    });
    var summary = h("summary", {}, [h("span", { class: "why-label", text: "Held for" })]);
    chips.forEach(function (chip) {
      summary.appendChild(document.createTextNode(" "));
      summary.appendChild(chip);
    });
    if (!chips.length) summary.appendChild(document.createTextNode(" no recorded rule"));
    var wording = h("ul", { class: "wording" });
    reasons.forEach(function (reason) {
      var hit = item.hits.filter(function (x) { return x.rule === reason.rule; });
      var marked = hit.reduce(function (n, x) { return n + (x.spans || []).length; }, 0);
      var verdict = hit.length ? OUTCOME[hit[0].verdict] : null;
      var where = hit.length && hit[0].field === "name" ? "in the name" : "in the text";
      wording.appendChild(h("li", { "data-rule": reason.rule }, [
        h("strong", { text: ruleLabel(reason.rule) }),
        verdict ? " (the policy " + verdict + ")" : null,
        ": ",
        reason.message || "",
        marked ? " " + plural(marked, "passage") + " highlighted " + where + "." : null,
      ]));
    });
    box.appendChild(summary);
    box.appendChild(h("p", { class: "wording-label", text: "What the writer was told:" }));
    box.appendChild(wording);
    box.open = open;
  }

  // ---- the context (GET /moderation/comments/{id}) -------------------------------------------

  function showDetail(item, data) {
    var c = data.comment || item.comment;
    item.hits = Array.isArray(data.hits) ? data.hits : [];
    if (data.reasons && data.reasons.length && !item.reasons.length) item.reasons = data.reasons;
    item.name.textContent = "";
    item.name.appendChild(highlighted(c.name || "(no name)", item.hits, "name"));
    item.text.textContent = "";
    item.text.appendChild(highlighted(c.body || "(no text)", item.hits, "body"));
    renderReasons(item);
    showArticle(item, data.article || {});
    item.context.textContent = "";
    if (data.parent) item.context.appendChild(parentBlock(data.parent));
    if (data.edits && data.edits.length) item.context.appendChild(editsBlock(data.edits));
    item.context.appendChild(authorBlock(data.author || {}));
    item.context.removeAttribute("aria-busy");
    item.detail = "loaded";
    item.node.setAttribute("data-context", "loaded");
  }

  function showArticle(item, article) {
    item.article = { id: article.id || item.comment.articleId, title: article.title || null, url: article.url || null };
    var slot = item.articleSlot;
    slot.textContent = "";
    if (!item.article.title) {
      slot.appendChild(h("code", { class: "article", text: item.article.id || "?" }));
      return;
    }
    var url = httpsUrl(item.article.url);
    var title = url
      ? h("a", { class: "article", href: url, rel: "noopener noreferrer", target: "_blank", title: "Article " + item.article.id }, [item.article.title])
      : h("span", { class: "article", title: "Article " + item.article.id }, [item.article.title]);
    slot.appendChild(title);
  }

  function parentBlock(parent) {
    return h("div", { class: "parent" }, [
      h("p", { class: "context-label" }, [
        "In reply to ", h("strong", {}, [parent.name || "(no name)"]),
        parent.status && parent.status !== "published" ? " (" + parent.status + ")" : null,
        parent.createdAt ? ", " : null, time(parent.createdAt), ":",
      ]),
      h("blockquote", { class: "quote" }, [parent.body || "(no text)"]),
    ]);
  }

  function editsBlock(edits) {
    var list = h("ol", { class: "edits-list" });
    edits.forEach(function (edit) {
      list.appendChild(h("li", {}, [
        time(edit.at), edit.at ? ": " : null,
        h("span", { class: "quote" }, [edit.previousBody || ""]),
      ]));
    });
    return h("details", { class: "edits" }, [
      h("summary", {}, ["Edited: ", plural(edits.length, "earlier text")]),
      list,
    ]);
  }

  function authorBlock(author) {
    var counts = author.counts || {};
    var recent = author.recent || [];
    if (!counts.comments) {
      return h("p", { class: "author author-new" }, [h("span", { class: "context-label", text: "Author:" }), " no earlier comments"]);
    }
    var summary = h("summary", {}, [
      h("span", { class: "context-label", text: "Author:" }), " ",
      plural(counts.comments, "earlier comment"), " · ",
      (counts.approved || 0) + " approved · ",
      (counts.rejected || 0) + " rejected · ",
      (counts.reported || 0) + " reported",
      counts.pending ? " · " + counts.pending + " pending" : null,
    ]);
    var list = h("ol", { class: "history" });
    recent.forEach(function (c) {
      var decided = (c.decisions || []).filter(function (d) { return d.event === "decided"; }).pop();
      list.appendChild(h("li", { "data-comment-id": c.id }, [
        status(c.status), " ",
        h("span", { class: "history-meta" }, [
          "on ", h("code", { text: c.articleId || "?" }), " ", time(c.createdAt),
          c.reports ? " · reported " + plural(c.reports, "time") : null,
          decided && decided.moderator ? " · " + (decided.decision === "approve" ? "approved" : "rejected") + " by " + decided.moderator : null,
          decided && decided.note ? " (“" + decided.note + "”)" : null,
        ]),
        h("span", { class: "quote" }, [c.body || "", c.clipped ? "…" : null]),
      ]));
    });
    return h("details", { class: "author" }, [summary, list]);
  }

  // ---- when the context loads: a card in sight or highlighted, a few at a time ---------------

  // Never in the way of a decision: a card works with or without its context. hooks.loaded(item)
  // after each. Answers {observe(item), want(item, first), forget(item)}.
  function contextLoader(hooks) {
    var AT_ONCE = 3;
    var waiting = [];
    var running = 0;
    var cards = new Map(); // card node -> item, for the cards on the list
    var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) want(cards.get(entry.target));
      });
    }) : null;

    function observe(item) {
      cards.set(item.node, item);
      if (observer) observer.observe(item.node);
      else want(item);
    }

    function forget(item) {
      cards.delete(item.node);
      if (observer) observer.unobserve(item.node);
      var i = waiting.indexOf(item);
      if (i >= 0) waiting.splice(i, 1);
    }

    // `first`: the card the moderator is on, ahead of those merely in sight.
    function want(item, first) {
      if (!item || !cards.has(item.node)) return;
      if (item.detail === "queued" && first) waiting.splice(waiting.indexOf(item), 1);
      else if (item.detail) return;
      item.detail = "queued";
      if (first) waiting.unshift(item);
      else waiting.push(item);
      pump();
    }

    function pump() {
      while (running < AT_ONCE && waiting.length) {
        var item = waiting.shift();
        running++;
        item.detail = "loading";
        load(item);
      }
    }

    function load(item) {
      window.ModerationApi.detail(item.id).then(function (r) {
        if (!cards.has(item.node)) return;
        if (r.status === 200) {
          showDetail(item, r.data);
          return hooks.loaded(item);
        }
        item.detail = "failed";
        item.context.removeAttribute("aria-busy");
        item.context.textContent = "The context could not be loaded (the service answered " + r.status + ").";
      }, function () {
        item.detail = null; // asked again when the card is highlighted
      }).then(function () {
        running--;
        pump();
      });
    }

    return { observe: observe, want: want, forget: forget };
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
          title: by.map(function (hit) { return ruleLabel(hit.rule); }).join(", "),
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

  window.ModerationCards = {
    make: make,
    showDetail: showDetail,
    contextLoader: contextLoader,
    ruleLabel: ruleLabel,
    h: h,
    plural: plural,
    ago: ago,
    who: who,
    articleLabel: articleLabel,
  };
})();
