/*! moderation-api.js: the moderation API as the console (web/moderation.html) calls it. No framework,
 * no build step. The token is moderation-auth.js's (window.ModerationAuth): a fresh access token for
 * each call, sent as "Authorization: Bearer <token>", never put in a URL. Every call answers
 * {status, data}; a network failure (or a session that has ended) rejects.
 *
 * window.ModerationApi: call(method, path, body, options), refused(status), and one function per
 * route the console uses (queue, depth, detail, decide, renew, release, reopen).
 */
(function () {
  "use strict";

  var Auth = window.ModerationAuth;

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

  // The service refused the token (expired session, or an account outside the moderators group).
  function refused(status) {
    return status === 401 || status === 403;
  }

  window.ModerationApi = {
    call: call,
    refused: refused,
    commentPath: commentPath,
    // Claims up to `max` (1..10) held comments: {items: [{claim, comment, reasons}], claimSeconds}.
    queue: function (max) { return call("GET", "/moderation/queue?max=" + max); },
    // {queue: {waiting, claimed}, deadLetters: {waiting, ...}}
    depth: function () { return call("GET", "/moderation/queue/depth"); },
    // The comment, its hits and history, and its context: article, parent, edits, author.
    detail: function (id) { return call("GET", commentPath(id)); },
    // body: {decision: "approve" | "reject", claim, banAuthor, note?}; 409 already_decided for the loser.
    decide: function (id, body) { return call("POST", commentPath(id) + "/decision", body); },
    // {claim: new, claimSeconds}; 409 already_decided or claim_expired when the comment is gone.
    renew: function (id, claim) { return call("POST", commentPath(id) + "/renew", { claim: claim }); },
    // {released: bool}: back in the queue for everyone at once.
    release: function (id, claim, keepalive) {
      return call("POST", commentPath(id) + "/release", { claim: claim }, { keepalive: !!keepalive });
    },
    // {comment, banLifted}: a decision undone, audited; 409 not_decided.
    reopen: function (id, note) {
      return call("POST", commentPath(id) + "/reopen", note ? { note: note } : {});
    },
  };
})();
