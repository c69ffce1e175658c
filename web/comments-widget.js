/*! comments-widget.js: the reader-facing comment widget. No framework, no build step.
 * Embed:
 *   <div data-comments data-article-id="ARTICLE" data-api="https://api.example.com"
 *        data-policy-url="/policy"></div>
 *   <script src="https://static.example.com/comments-widget.js" defer></script>
 * Optional on the div: data-page-size (1-100, default 50), data-edit-window (minutes, default 15).
 * Stylesheet: the script adds <link rel="stylesheet"> for comments-widget.css from its own directory,
 * unless the page already links a stylesheet whose URL contains "comments-widget.css" or the script
 * tag carries data-no-css. Several widgets per page are fine. Widgets added later:
 * window.CommentsWidget.mount(element).
 * Colours: --cw-* custom properties (web/README.md); they follow the page's color-scheme, unless
 * data-color-scheme="light", "dark" or "auto" (the reader's preference) on the div pins it.
 * Comment text is only ever set with textContent: user data never becomes HTML.
 */
(function () {
  "use strict";

  var LIMIT = 5000;
  var AUTHOR_KEY = "comments-widget:author";
  var OWN_KEY = "comments-widget:own";
  var ORDER_KEY = "comments-widget:order";
  // How long this browser keeps what it knows of its own comments (edit tokens, and the copy of a
  // held comment shown to its writer as awaiting moderation). No endpoint tells a writer that a
  // moderator rejected their comment, so a held copy that never turned up in the list goes after this.
  var KEEP_OWN = 864e5;
  var script = document.currentScript;
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

  function load(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function store(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage disabled: the widget works without it */
    }
  }

  function own() {
    return load(OWN_KEY) || {};
  }

  function ownSet(id, entry) {
    var all = own();
    var now = Date.now();
    for (var k in all) if (!(now - Date.parse(all[k].createdAt) < KEEP_OWN)) delete all[k];
    if (entry) all[id] = entry;
    else delete all[id];
    store(OWN_KEY, all);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var x = Array.prototype.map.call(b, function (n) { return (n + 256).toString(16).slice(1); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }

  function chars(s) {
    return Array.from(s).length; // code points, as the service counts
  }

  function num(n) {
    return n.toLocaleString("en");
  }

  function plural(n, word) {
    return num(n) + " " + word + (n === 1 ? "" : "s");
  }

  function ago(iso) {
    var s = (Date.now() - Date.parse(iso)) / 1000;
    if (!(s >= 45)) return "just now";
    var steps = [[60, "minute"], [3600, "hour"], [86400, "day"], [604800, "week"], [2629800, "month"], [31557600, "year"]];
    var limits = [3600, 86400, 604800, 2629800, 31557600, Infinity];
    for (var i = 0; i < steps.length; i++) {
      if (s < limits[i]) return plural(Math.max(1, Math.round(s / steps[i][0])), steps[i][1]) + " ago";
    }
  }

  function seconds(value) {
    var n = parseInt(value, 10);
    if (isNaN(n) && value) n = Math.ceil((Date.parse(value) - Date.now()) / 1000);
    return n > 0 ? n : 0;
  }

  // A fetch that always answers {status, data, headers}; a network failure rejects.
  function call(method, url, body, headers) {
    var init = { method: method, mode: "cors", credentials: "omit", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    for (var k in headers || {}) init.headers[k] = headers[k];
    return fetch(url, init).then(function (res) {
      var done = function (data) {
        return { status: res.status, data: data || {}, headers: res.headers };
      };
      return res.status === 204 ? done(null) : res.json().then(done, function () { return done(null); });
    });
  }

  function reasonList(reasons) {
    return h("ul", { class: "cw-reasons" }, (reasons || []).map(function (r) {
      return h("li", { text: r.message || r.rule });
    }));
  }

  // A message in a live region. `passing`: the outcome of the text as sent, which goes as soon as
  // the reader changes the form (the live hint from /validate then speaks for the new text).
  function say(region, kids, kind, passing) {
    region.textContent = "";
    region.className = "cw-status" + (kind ? " cw-" + kind : "");
    region.cwPassing = !!passing;
    kids.forEach(function (kid) {
      if (kid) region.appendChild(typeof kid === "string" ? h("p", { text: kid }) : kid);
    });
  }

  // ---- one widget ----------------------------------------------------------------------------

  function mount(root) {
    if (root.hasAttribute("data-comments-ready")) return;
    root.setAttribute("data-comments-ready", "");
    root.classList.add("cw");
    var ds = root.dataset;
    var api = (ds.api || "").replace(/\/+$/, "");
    var base = api + "/articles/" + encodeURIComponent(ds.articleId || "");
    var policyUrl = ds.policyUrl || "/policy";
    var pageSize = Math.min(100, Math.max(1, parseInt(ds.pageSize, 10) || 50));
    var editWindow = (parseFloat(ds.editWindow) || 15) * 60000;
    var p = "cw" + ++seq + "-";
    var nodes = {};
    var parentId = null;
    var busy = false;
    var closed = false;
    var key = null;
    var keyFor = null;
    var conflictRetries = 0;
    var total = null;
    // The service's count moves with the change stream, about a second behind a new comment;
    // once every comment is on screen, the list itself is the count.
    var counted = null;
    var complete = false;
    var cursor = null;
    // The reader's choice of order, remembered in this browser (the site may set the default).
    var order = load(ORDER_KEY) || (ds.order === "newest" ? "newest" : "oldest");
    if (order !== "newest") order = "oldest";

    // The form: a compose block (form + live status) that moves under a comment for replies.
    function field(name, label, control, hint) {
      control.id = p + name;
      var err = h("span", { class: "cw-error", id: p + name + "-error" });
      var ids = [hint && (hint.id = p + name + "-hint"), err.id].filter(Boolean);
      control.setAttribute("aria-describedby", ids.concat(control.getAttribute("aria-describedby") || []).join(" "));
      return h("div", { class: "cw-field cw-field-" + name }, [h("label", { for: control.id, text: label }), control, hint, err]);
    }

    var nameInput = h("input", { type: "text", name: "name", autocomplete: "name", maxlength: "80", required: true });
    var emailInput = h("input", { type: "email", name: "email", autocomplete: "email", maxlength: "254", required: true });
    var counter = h("span", { class: "cw-counter", id: p + "counter", text: "0 / " + num(LIMIT) });
    var feedback = h("div", { class: "cw-feedback", id: p + "feedback", "aria-live": "polite" });
    var bodyInput = h("textarea", { name: "body", rows: "5", required: true, "aria-describedby": counter.id + " " + feedback.id });
    var remember = h("input", { type: "checkbox", id: p + "remember", "aria-describedby": p + "remember-hint" });
    var submitButton = h("button", { type: "submit", class: "cw-button" }, ["Post comment"]);
    var replyName = h("strong");
    var cancelReply = h("button", { type: "button", class: "cw-link", onclick: function () { replyTo(null); } }, ["Cancel reply"]);
    var replying = h("p", { class: "cw-replying", hidden: true }, ["Replying to ", replyName, " ", cancelReply]);
    var status = h("div", { class: "cw-status", role: "status", "aria-live": "polite" });
    // A field people never see or reach (off-screen, out of the tab order and of the accessibility
    // tree): programs that fill every field fill it, and the service holds their comment as spam.
    var honeypot = h("input", { type: "text", name: "website", id: p + "website", tabindex: "-1", autocomplete: "off" });
    var trap = h("div", { class: "cw-hp", "aria-hidden": "true" }, [h("label", { for: honeypot.id, text: "Website" }), honeypot]);
    var form = h("form", { class: "cw-form", novalidate: true, onsubmit: function (e) { e.preventDefault(); submit(); } }, [
      replying,
      h("div", { class: "cw-row" }, [
        field("name", "Name", nameInput),
        field("email", "Email", emailInput, h("span", { class: "cw-hint", text: "Never shown publicly." })),
      ]),
      trap,
      field("body", "Comment", bodyInput, null),
      h("div", { class: "cw-field" }, [counter, feedback]),
      h("div", { class: "cw-actions" }, [
        h("span", { class: "cw-remember" }, [
          remember,
          h("label", { for: remember.id, text: "Remember me" }),
          h("span", { class: "cw-hint", id: p + "remember-hint", text: " (keeps your name and email in this browser)" }),
        ]),
        submitButton,
      ]),
    ]);
    var compose = h("div", { class: "cw-compose" }, [form, status]);
    var home = h("div", { class: "cw-home" }, [compose]);
    // The writer's own held comments, from this browser's storage: never fetched, never seen by others.
    var heldList = h("ol", { class: "cw-list cw-held-list", "aria-labelledby": p + "held-title" });
    var held = h("section", { class: "cw-held", "aria-labelledby": p + "held-title", hidden: true }, [
      h("h2", { class: "cw-held-title", id: p + "held-title", text: "Your comments awaiting moderation" }),
      h("p", { class: "cw-hint", text: "Only you can see them here, in this browser, until a moderator publishes them." }),
      heldList,
    ]);
    var count = h("h2", { class: "cw-count", hidden: true });
    var orderSelect = h("select", { id: p + "order", class: "cw-order-select", onchange: changeOrder }, [
      h("option", { value: "oldest", text: "Oldest first" }),
      h("option", { value: "newest", text: "Newest first" }),
    ]);
    orderSelect.value = order;
    var sorting = h("div", { class: "cw-order" }, [h("label", { for: p + "order", text: "Sort comments" }), orderSelect]);
    var list = h("ol", { class: "cw-list", "aria-label": "Comments", tabindex: "-1" });
    var listNote = h("p", { class: "cw-note" }, ["Loading comments…"]);
    var more = h("button", { type: "button", class: "cw-button cw-more", hidden: true, onclick: loadMore }, ["Load more comments"]);
    root.textContent = "";
    [home, held, count, sorting, list, listNote, more].forEach(function (n) { root.appendChild(n); });

    var saved = load(AUTHOR_KEY);
    if (saved) {
      nameInput.value = saved.name || "";
      emailInput.value = saved.email || "";
      remember.checked = true;
    }

    if (!api || !ds.articleId) {
      say(status, ["This comment form is not set up: data-api and data-article-id are required."], "error");
      submitButton.disabled = closed = true;
      return;
    }

    // ---- counting, validation while typing -------------------------------------------------

    function listed() {
      var k = 0;
      for (var id in nodes) if (!nodes[id].gone) k++;
      return k;
    }

    function showCount() {
      if (complete) total = listed();
      else if (counted != null) total = Math.max(counted, listed());
      count.hidden = total == null;
      count.textContent = plural(total || 0, "comment");
    }

    function updateCounter() {
      var n = chars(bodyInput.value);
      counter.textContent = num(n) + " / " + num(LIMIT) + (n > LIMIT ? " (" + num(n - LIMIT) + " too many)" : "");
      counter.classList.toggle("cw-over", n > LIMIT);
    }

    var timer = null;
    var checkSeq = 0;
    var shown = "";
    function showFeedback(verdict, reasons) {
      var text = verdict + JSON.stringify(reasons || []);
      if (text === shown) return; // only changes reach screen readers
      shown = text;
      feedback.textContent = "";
      feedback.className = "cw-feedback" + (verdict ? " cw-" + verdict : "");
      if (!verdict || (verdict === "publish" && !reasons.length)) return;
      feedback.appendChild(h("p", {
        text: verdict === "reject" ? "As written, this comment would not be published:"
          : verdict === "hold" ? "As written, a moderator would review this comment before it appears:"
          : "Note:",
      }));
      feedback.appendChild(reasonList(reasons));
    }

    function scheduleCheck() {
      clearTimeout(timer);
      var mine = ++checkSeq;
      if (!bodyInput.value.trim()) return showFeedback("", []);
      timer = setTimeout(function () {
        if (!bodyInput.value.trim()) return;
        // The service validates the whole submission; until name and email are filled in, stand-ins
        // let the reader learn about the text itself. Nothing is stored.
        var draft = {
          name: nameInput.value.trim() || "Reader",
          email: emailInput.validity.valid && emailInput.value.trim() ? emailInput.value.trim() : "reader@example.com",
          body: bodyInput.value,
          parentId: parentId,
        };
        call("POST", base + "/comments/validate", draft).then(function (r) {
          if (mine !== checkSeq) return;
          if (r.status === 200 && r.data.verdict) showFeedback(r.data.verdict, r.data.reasons || []);
          else showFeedback("", []);
        }, function () {
          if (mine === checkSeq) showFeedback("", []);
        });
      }, 500);
    }

    // A changed field is no longer what was refused: its mark goes, and so does the outcome of
    // the last submission (a rejection, a form check, a thank-you), leaving the live hint alone.
    function changed(input) {
      if (input.hasAttribute("aria-invalid")) {
        input.removeAttribute("aria-invalid");
        document.getElementById(input.id + "-error").textContent = "";
      }
      if (status.cwPassing) say(status, []);
    }

    bodyInput.addEventListener("input", function () {
      changed(bodyInput);
      updateCounter();
      scheduleCheck();
    });
    nameInput.addEventListener("input", function () {
      changed(nameInput);
      if (bodyInput.value.trim()) scheduleCheck();
    });
    emailInput.addEventListener("input", function () {
      changed(emailInput);
    });

    // ---- submitting ------------------------------------------------------------------------

    function fieldError(input, message) {
      input.setAttribute("aria-invalid", "true");
      document.getElementById(input.id + "-error").textContent = message;
    }

    function clearErrors() {
      [nameInput, emailInput, bodyInput].forEach(function (input) {
        input.removeAttribute("aria-invalid");
        document.getElementById(input.id + "-error").textContent = "";
      });
    }

    function firstInvalid() {
      return form.querySelector("[aria-invalid=true]");
    }

    function setBusy(on) {
      busy = on;
      submitButton.disabled = on || closed;
      form.setAttribute("aria-busy", on ? "true" : "false");
    }

    function policyLink() {
      return h("p", {}, [h("a", { href: policyUrl, text: "Read our comment policy" }), " to see what is allowed."]);
    }

    function retryButton() {
      return h("p", {}, [h("button", { type: "button", class: "cw-button", onclick: submit }, ["Retry"])]);
    }

    // The page the comments are on, so that moderators see what a comment is about: its title and
    // canonical URL, sent only when that URL is https on this page's own origin (the service takes
    // only the site's origins, and a reader's comment must never fail for it).
    function thisPage() {
      var link = document.querySelector('link[rel="canonical"]');
      var title = Array.from((document.title || "").replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, " ").trim()).slice(0, 300).join("").trim();
      if (!link || !title) return null;
      var url;
      try { url = new URL(link.getAttribute("href"), location.href); } catch (e) { return null; }
      url.hash = "";
      if (url.protocol !== "https:" || url.origin !== location.origin || url.username || url.password || url.href.length > 2048) return null;
      return { title: title, url: url.href };
    }

    function submit() {
      if (busy || closed) return;
      clearErrors();
      var draft = { name: nameInput.value.trim(), email: emailInput.value.trim(), body: bodyInput.value, parentId: parentId };
      var page = thisPage();
      if (page) draft.page = page;
      if (honeypot.value) draft.honeypot = honeypot.value;
      if (!draft.name) fieldError(nameInput, "Please enter your name.");
      if (!draft.email) fieldError(emailInput, "Please enter your email address.");
      else if (!emailInput.validity.valid) fieldError(emailInput, "Please enter a valid email address.");
      if (!draft.body.trim()) fieldError(bodyInput, "Please write your comment.");
      else if (chars(draft.body) > LIMIT) fieldError(bodyInput, "Please shorten your comment to " + num(LIMIT) + " characters.");
      if (firstInvalid()) {
        say(status, ["Please check the form: " + Array.prototype.map.call(form.querySelectorAll(".cw-error"), function (e) {
          return e.textContent;
        }).filter(Boolean).join(" ")], "error", true);
        return firstInvalid().focus();
      }
      if (remember.checked) store(AUTHOR_KEY, { name: draft.name, email: draft.email });
      else store(AUTHOR_KEY, null);
      var fingerprint = JSON.stringify(draft);
      if (fingerprint !== keyFor) {
        key = uuid(); // the same text keeps its key, so a retry can never post twice
        keyFor = fingerprint;
        conflictRetries = 0;
      }
      // From here the outcome speaks for the text as sent: the live hint would only repeat it.
      quietHint();
      setBusy(true);
      say(status, ["Posting your comment…"]);
      call("POST", base + "/comments", draft, { "Idempotency-Key": key }).then(function (r) {
        setBusy(false);
        outcome(r);
      }, function () {
        setBusy(false);
        var retry = retryButton();
        say(status, ["Could not reach the comment service. Check your connection; your text is kept.", retry], "error");
        retry.firstChild.focus();
      });
    }

    function quietHint() {
      clearTimeout(timer);
      checkSeq++;
      showFeedback("", []);
    }

    function posted() {
      quietHint();
      key = keyFor = null;
      bodyInput.value = "";
      updateCounter();
      replyTo(null, true);
    }

    function outcome(r) {
      var d = r.data;
      var s = r.status;
      if (s === 201 || s === 202) {
        var replyingTo = parentId && nodes[parentId] && nodes[parentId].comment ? nodes[parentId].comment.name : null;
        if (d.editToken && d.comment) {
          ownSet(d.comment.id, s === 202 ? heldEntry(d.editToken, d.comment, replyingTo)
            : { editToken: d.editToken, createdAt: d.comment.createdAt });
        }
        posted();
        if (s === 201) {
          var node = addComment(d.comment, true);
          if (counted != null) counted++;
          showCount();
          listNote.hidden = true;
          say(status, ["Thank you, your comment is published."], "ok", true);
          node.article.classList.add("cw-new");
          node.article.focus();
        } else {
          say(status, [
            "Thank you. Your comment is awaiting moderation: a moderator will read it before it appears.",
            d.reasons && d.reasons.length ? "Why it was held:" : null,
            d.reasons && d.reasons.length ? reasonList(d.reasons) : null,
          ], "ok", true);
          showHeld();
          bodyInput.focus();
        }
        return;
      }
      var parts;
      var focus = bodyInput;
      var passing = s === 422 || s === 413 || s === 400; // about the text as sent
      if (s === 422 && d.error === "policy_violation") {
        (d.violations || []).forEach(function (v) {
          if (v.rule === "name") nameInput.setAttribute("aria-invalid", "true"), (focus = nameInput);
        });
        if (focus === bodyInput) bodyInput.setAttribute("aria-invalid", "true");
        parts = ["Your comment was not published:", reasonList(d.violations), policyLink()];
      } else if (s === 422) {
        var inputs = { name: nameInput, email: emailInput, body: bodyInput };
        var messages = [];
        (d.details || []).forEach(function (detail) {
          var loc = [].concat(detail.field || detail.loc || detail.path || []);
          var which = loc.filter(function (x) { return inputs[x]; })[0];
          var text = String(detail.message || detail.msg || "is not valid").replace(/^Value error, /, "");
          if (which) {
            text = ({ name: "Name", email: "Email", body: "Comment" })[which] + ": " + text;
            fieldError(inputs[which], text);
          }
          messages.push(text);
        });
        focus = firstInvalid() || bodyInput;
        parts = ["Please check the form: " + (messages.join(" ") || "some fields are not valid.")];
      } else if (s === 403) {
        closed = true;
        submitButton.disabled = true;
        parts = ["Comments are closed for this article."];
        focus = null;
      } else if (s === 404) {
        parts = [parentId ? "The comment you are replying to is no longer available. Your text is kept: you can post it as a new comment."
          : "This article cannot take comments."];
        if (parentId) replyTo(null, true);
      } else if (s === 413) {
        parts = ["Your comment is too long to send. Please shorten it."];
      } else if (s === 429) {
        var wait = seconds(r.headers.get("Retry-After")) || 60;
        parts = ["You are posting too quickly. Please wait " + plural(wait, "second") + " and try again; your text is kept."];
        focus = bodyInput;
        submitButton.disabled = closed = true;
        setTimeout(function () { submitButton.disabled = closed = false; }, wait * 1000);
      } else if (s === 409) {
        var after = seconds(r.headers.get("Retry-After"));
        if (after && conflictRetries++ < 3) {
          say(status, ["Still posting your comment…"]);
          return setTimeout(submit, after * 1000);
        }
        key = keyFor = null;
        parts = ["Your comment could not be posted. Please try again.", (focus = retryButton())];
      } else if (s === 400) {
        parts = ["Your comment could not be sent" + (d.message ? ": " + d.message : ".")];
      } else {
        parts = ["The comment service could not take your comment just now (" + (d.error || "error " + s) + "). Your text is kept.", (focus = retryButton())];
      }
      say(status, parts, "error", passing);
      if (focus) (focus.tagName === "P" ? focus.firstChild : focus).focus();
    }

    function replyTo(comment, quiet) {
      var previous = parentId;
      parentId = comment ? comment.id : null;
      replying.hidden = !comment;
      if (comment) {
        replyName.textContent = comment.name;
        nodes[comment.id].li.insertBefore(compose, nodes[comment.id].article.nextSibling);
        say(status, []);
        bodyInput.focus();
      } else {
        home.appendChild(compose);
        if (!quiet && previous && nodes[previous]) nodes[previous].reply.focus();
      }
      keyFor = null;
    }

    // ---- the list ----------------------------------------------------------------------------

    function repliesOf(id) {
      var n = nodes[id] || placeholder(id, list);
      if (!n.replies) n.li.appendChild((n.replies = h("ol", { class: "cw-replies", "aria-label": n.comment ? "Replies to " + n.comment.name : "Replies" })));
      return n.replies;
    }

    function placeholder(id, parent) {
      var article = h("article", { class: "cw-comment cw-gone", tabindex: "-1" }, [h("p", { text: "This comment is no longer available." })]);
      var li = h("li", { class: "cw-item" }, [article]);
      parent.appendChild(li);
      return (nodes[id] = { li: li, article: article, gone: true, replies: nodes[id] && nodes[id].replies });
    }

    function addComment(c, atTop) {
      var old = nodes[c.id];
      if (old && !old.gone) return old;
      var entry = own()[c.id];
      if (entry && entry.held) ownSet(c.id, { editToken: entry.editToken, createdAt: entry.createdAt });
      var n = { comment: c, tools: h("div", { class: "cw-tools" }) };
      n.time = h("time", { datetime: c.createdAt, title: new Date(c.createdAt).toLocaleString() }, [ago(c.createdAt)]);
      n.text = h("div", { class: "cw-body", text: c.body });
      n.article = h("article", { class: "cw-comment", tabindex: "-1", "aria-label": "Comment by " + c.name }, [
        h("header", { class: "cw-meta" }, [h("span", { class: "cw-name", text: c.name }), " ", n.time]),
        n.text,
        n.tools,
      ]);
      n.reply = h("button", { type: "button", class: "cw-link", "aria-label": "Reply to " + c.name, onclick: function () { replyTo(c); } }, ["Reply"]);
      n.report = h("button", { type: "button", class: "cw-link", "aria-label": "Report comment by " + c.name, onclick: function () { startReport(n); } }, ["Report"]);
      n.tools.appendChild(n.reply);
      if (!own()[c.id]) n.tools.appendChild(n.report);
      if (old) {
        old.li.replaceChild(n.article, old.article);
        n.li = old.li;
        n.replies = old.replies;
      } else {
        n.li = h("li", { class: "cw-item" }, [n.article]);
        var where = c.parentId ? repliesOf(c.parentId) : list;
        // A new top-level comment of this reader's goes where the chosen order puts it.
        if (atTop && order === "newest" && !c.parentId) where.insertBefore(n.li, where.firstChild);
        else where.appendChild(n.li);
      }
      if (n.replies) n.replies.setAttribute("aria-label", "Replies to " + c.name);
      nodes[c.id] = n;
      ownTools(n);
      return n;
    }

    function mine(n) {
      var entry = own()[n.comment.id];
      return entry && Date.now() - Date.parse(entry.createdAt) < editWindow ? entry : null;
    }

    function ownTools(n) {
      if (n.gone || n.edit || n.editing || !mine(n)) return;
      n.edit = h("button", { type: "button", class: "cw-link", onclick: function () { startEdit(n); } }, ["Edit"]);
      n.del = h("button", { type: "button", class: "cw-link", onclick: function () { confirmDelete(n); } }, ["Delete"]);
      n.tools.appendChild(n.edit);
      n.tools.appendChild(n.del);
    }

    function dropTools(n) {
      [n.edit, n.del, n.confirm].forEach(function (b) { if (b && b.parentNode) b.parentNode.removeChild(b); });
      n.edit = n.del = n.confirm = null;
      n.tools.hidden = false;
    }

    function render(page) {
      (page.comments || []).forEach(function (c) { addComment(c, false); });
      cursor = page.nextCursor || null;
      complete = !cursor;
      more.hidden = !cursor;
      showCount();
      showHeld();
    }

    // ---- the writer's held comments ------------------------------------------------------------

    function heldEntry(token, c, replyingTo) {
      return {
        editToken: token,
        createdAt: c.createdAt,
        held: { where: base, name: c.name, body: c.body, parentId: c.parentId || null, replyTo: replyingTo || null },
      };
    }

    // Held comments of this article that this browser sent and the list does not show (yet): a
    // published one gives way to the list's copy as soon as a page of the list brings it.
    function showHeld() {
      var all = own();
      var ids = Object.keys(all).filter(function (id) {
        var e = all[id];
        return e.held && e.held.where === base && Date.now() - Date.parse(e.createdAt) < KEEP_OWN && !(nodes[id] && !nodes[id].gone);
      });
      ids.sort(function (a, b) { return Date.parse(all[b].createdAt) - Date.parse(all[a].createdAt); });
      heldList.textContent = "";
      ids.forEach(function (id) {
        var e = all[id];
        heldList.appendChild(h("li", { class: "cw-item" }, [
          h("article", { class: "cw-comment cw-pending", "aria-label": "Your comment, awaiting moderation" }, [
            h("header", { class: "cw-meta" }, [
              h("span", { class: "cw-name", text: e.held.name }), " ",
              h("time", { datetime: e.createdAt, title: new Date(e.createdAt).toLocaleString() }, [ago(e.createdAt)]), " ",
              h("span", { class: "cw-badge", text: "Awaiting moderation" }),
            ]),
            e.held.parentId ? h("p", { class: "cw-hint cw-reply-to", text: e.held.replyTo ? "In reply to " + e.held.replyTo : "A reply" }) : null,
            h("div", { class: "cw-body", text: e.held.body }),
          ]),
        ]));
      });
      held.hidden = !ids.length;
    }

    function fetchPage(after) {
      var url = base + "/comments?limit=" + pageSize + "&order=" + order + (after ? "&cursor=" + encodeURIComponent(after) : "");
      return call("GET", url).then(function (r) {
        if (r.status !== 200) throw new Error(String(r.status));
        return r.data;
      });
    }

    function firstLoad() {
      list.setAttribute("aria-busy", "true");
      fetchPage(null).then(function (page) {
        render(page);
        list.removeAttribute("aria-busy");
        listNote.hidden = !!list.children.length;
        listNote.textContent = "No comments yet. Be the first to comment.";
      }, function () {
        showHeld();
        list.removeAttribute("aria-busy");
        listNote.textContent = "";
        listNote.appendChild(document.createTextNode("Comments could not be loaded. "));
        listNote.appendChild(h("button", { type: "button", class: "cw-link", onclick: function () { listNote.textContent = "Loading comments…"; firstLoad(); } }, ["Try again"]));
      });
    }

    function changeOrder() {
      order = orderSelect.value === "newest" ? "newest" : "oldest";
      store(ORDER_KEY, order);
      replyTo(null, true); // the form comes home before the list it may sit in is emptied
      nodes = {};
      cursor = null;
      complete = false;
      list.textContent = "";
      more.hidden = true;
      listNote.hidden = false;
      listNote.textContent = "Loading comments…";
      firstLoad();
      say(status, [order === "newest" ? "Showing the newest comments first." : "Showing the oldest comments first."]);
    }

    function loadMore() {
      if (!cursor || more.disabled) return;
      more.disabled = true;
      var before = Object.keys(nodes).length;
      var firstNew = null;
      fetchPage(cursor).then(function (page) {
        (page.comments || []).forEach(function (c) {
          if (!nodes[c.id] && !firstNew) firstNew = c.id;
        });
        render(page);
        more.disabled = false;
        var added = Object.keys(nodes).length - before;
        say(status, [plural(added, "more comment") + " loaded."]);
        if (more.hidden && firstNew) nodes[firstNew].article.focus();
      }, function () {
        more.disabled = false;
        say(status, ["More comments could not be loaded. Please try again."], "error");
      });
    }

    // ---- the author's own comment: edit and delete within the window -------------------------

    function commentUrl(n) {
      return base + "/comments/" + encodeURIComponent(n.comment.id);
    }

    function lost(n, text) {
      // The comment left the public list: keep a placeholder if replies hang under it.
      ownSet(n.comment.id, null);
      if (n.li.contains(compose)) replyTo(null, true);
      if (n.replies && n.replies.children.length) {
        var gone = h("article", { class: "cw-comment cw-gone", tabindex: "-1" }, [h("p", { text: text })]);
        n.li.replaceChild(gone, n.article);
        nodes[n.comment.id] = { li: n.li, article: gone, gone: true, replies: n.replies };
      } else {
        n.li.parentNode.removeChild(n.li);
        delete nodes[n.comment.id];
      }
      if (counted != null) counted = Math.max(0, counted - 1);
      showCount();
    }

    function startEdit(n) {
      var entry = mine(n);
      if (!entry) return dropTools(n);
      var box = h("textarea", { id: p + "edit-" + n.comment.id, rows: "4" });
      box.value = n.comment.body;
      var note = h("div", { class: "cw-status", "aria-live": "polite" });
      var save = h("button", { type: "submit", class: "cw-button" }, ["Save"]);
      var editor = h("form", { class: "cw-editor", novalidate: true }, [
        h("label", { for: box.id, text: "Edit your text" }),
        box,
        h("div", { class: "cw-actions" }, [save, h("button", { type: "button", class: "cw-link", onclick: stop }, ["Cancel"])]),
        note,
      ]);
      function stop() {
        editor.parentNode.removeChild(editor);
        n.text.hidden = n.tools.hidden = false;
        n.editing = false;
        (n.edit || n.article).focus();
      }
      editor.addEventListener("submit", function (e) {
        e.preventDefault();
        if (save.disabled) return;
        if (!box.value.trim()) return say(note, ["Please write your comment, or delete it instead."], "error"), box.focus();
        save.disabled = true;
        say(note, ["Saving…"]);
        call("PATCH", commentUrl(n), { editToken: entry.editToken, body: box.value }).then(function (r) {
          save.disabled = false;
          var d = r.data;
          if (r.status === 200 && d.comment && d.status === "published") {
            n.comment = d.comment;
            n.text.textContent = d.comment.body;
            stop();
            say(status, ["Your comment was updated."], "ok");
          } else if (r.status === 200) {
            n.editing = false;
            var parent = d.comment && d.comment.parentId && nodes[d.comment.parentId];
            lost(n, "This comment is awaiting moderation.");
            if (d.comment) ownSet(d.comment.id, heldEntry(entry.editToken, d.comment, parent && parent.comment ? parent.comment.name : null));
            showHeld();
            say(status, ["Your edited comment is awaiting moderation: a moderator will read it before it appears again."], "ok");
            list.focus();
          } else if (r.status === 422 && d.error === "policy_violation") {
            say(note, ["Your edit was not saved; the comment stays as it was:", reasonList(d.violations), policyLink()], "error");
            box.focus();
          } else if (r.status === 403 || r.status === 404) {
            dropTools(n);
            stop();
            if (r.status !== 403 || d.error !== "edit_window_closed") ownSet(n.comment.id, null);
            say(status, [d.error === "edit_window_closed" ? "The time for editing this comment is over."
              : r.status === 404 ? "This comment no longer exists." : "This browser can no longer change this comment."], "error");
          } else {
            say(note, ["Your edit could not be saved just now (" + (d.message || d.error || "error " + r.status) + "). Please try again."], "error");
          }
        }, function () {
          save.disabled = false;
          say(note, ["Could not reach the comment service. Your edit is kept; press Save to try again."], "error");
        });
      });
      n.editing = true;
      n.text.hidden = n.tools.hidden = true;
      n.article.insertBefore(editor, n.tools);
      box.focus();
    }

    function confirmDelete(n) {
      var entry = mine(n);
      if (!entry) return dropTools(n);
      var yes = h("button", { type: "button", class: "cw-link cw-danger" }, ["Yes, delete"]);
      var no = h("button", { type: "button", class: "cw-link" }, ["Keep it"]);
      n.confirm = h("span", { class: "cw-confirm" }, ["Delete your comment? ", yes, " ", no]);
      n.edit.hidden = n.del.hidden = true;
      n.tools.appendChild(n.confirm);
      no.addEventListener("click", function () {
        n.tools.removeChild(n.confirm);
        n.confirm = null;
        n.edit.hidden = n.del.hidden = false;
        n.del.focus();
      });
      yes.addEventListener("click", function () {
        yes.disabled = true;
        call("DELETE", commentUrl(n), { editToken: entry.editToken }).then(function (r) {
          yes.disabled = false;
          if (r.status === 204 || r.status === 200 || r.status === 404) {
            lost(n, "This comment was deleted.");
            say(status, ["Your comment was deleted."], "ok");
            list.focus();
          } else {
            dropTools(n);
            if (r.data.error !== "edit_window_closed") ownSet(n.comment.id, null);
            say(status, [r.data.error === "edit_window_closed" ? "The time for deleting this comment is over."
              : "Your comment could not be deleted (" + (r.data.error || "error " + r.status) + ")."], "error");
            n.article.focus();
          }
        }, function () {
          yes.disabled = false;
          say(status, ["Could not reach the comment service. Please try again."], "error");
        });
      });
      yes.focus();
    }

    function startReport(n) {
      if (n.reporting) return n.reporting.querySelector("input").focus();
      var why = h("input", { type: "text", id: p + "report-" + n.comment.id, maxlength: "500", required: true });
      var note = h("div", { class: "cw-status", "aria-live": "polite" });
      var send = h("button", { type: "submit", class: "cw-button" }, ["Send report"]);
      var box = (n.reporting = h("form", { class: "cw-editor", novalidate: true }, [
        h("label", { for: why.id, text: "Reason for reporting" }),
        why,
        h("div", { class: "cw-actions" }, [send, h("button", { type: "button", class: "cw-link", onclick: close }, ["Cancel"])]),
        note,
      ]));
      function close() {
        box.parentNode.removeChild(box);
        n.reporting = null;
        n.report.focus();
      }
      box.addEventListener("submit", function (e) {
        e.preventDefault();
        if (send.disabled) return;
        if (!why.value.trim()) return say(note, ["Please tell us what is wrong with this comment."], "error"), why.focus();
        send.disabled = true;
        call("POST", commentUrl(n) + "/reports", { reason: why.value.trim() }).then(function (r) {
          send.disabled = false;
          if (r.status === 202 || r.status === 200 || r.status === 404) {
            box.parentNode.removeChild(box);
            n.reporting = null;
            if (n.report.parentNode) n.tools.removeChild(n.report);
            say(status, [r.status === 404 ? "This comment is no longer available." : "Thank you for your report. When enough readers report a comment, a moderator looks at it again."], "ok");
            n.article.focus();
          } else {
            say(note, [r.status === 429 ? "You are sending reports too quickly. Please try again later."
              : "Your report could not be sent (" + (r.data.error || "error " + r.status) + ")."], "error");
          }
        }, function () {
          send.disabled = false;
          say(note, ["Could not reach the comment service. Please try again."], "error");
        });
      });
      n.article.insertBefore(box, n.tools.nextSibling);
      why.focus();
    }

    // ---- start ---------------------------------------------------------------------------------

    setInterval(function () {
      for (var id in nodes) {
        var n = nodes[id];
        if (n.gone) continue;
        n.time.textContent = ago(n.comment.createdAt);
        if (n.edit && !n.editing && !n.confirm && !mine(n)) dropTools(n);
      }
      if (!held.hidden) showHeld();
    }, 30000);

    call("GET", api + "/articles/comment-counts?ids=" + encodeURIComponent(ds.articleId)).then(function (r) {
      var n = r.status === 200 && r.data.counts ? r.data.counts[ds.articleId] : null;
      if (typeof n === "number") {
        counted = n;
        showCount();
      }
    }, function () { /* no count: the list still works */ });
    updateCounter();
    firstLoad();
  }

  // ---- boot -----------------------------------------------------------------------------------

  if (script && script.src && !script.hasAttribute("data-no-css") && !document.querySelector('link[href*="comments-widget.css"]')) {
    document.head.appendChild(h("link", { rel: "stylesheet", href: new URL("comments-widget.css", script.src).href }));
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-comments]"), mount);
  }

  window.CommentsWidget = { mount: mount };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
