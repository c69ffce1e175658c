/*! moderation-claims.js: the console keeps its claims while the comments are on screen. A claim
 * lasts `claimSeconds` (GET /moderation/queue says how long); each one on the list is renewed at
 * half of that (POST .../renew, which answers a new claim), and again at once when the tab comes
 * back from the background (its timers may not have run). A renewal answered 409 means the
 * comment is gone: decided by another moderator, or the claim lapsed and someone else has it.
 * Claims are given back (POST .../release) on a skip, a reload, a sign-out and, with fetch
 * `keepalive`, when the page goes away; whatever is not given back lapses by itself.
 *
 * window.ModerationClaims.create(hooks) -> {hold(item, seconds), drop(item), settled(item),
 * release(item, keepalive), releaseAll(keepalive), catchUp()}; hooks: lost(item, why) with why
 * "decided", "taken" or "gone", and refused(status).
 */
(function () {
  "use strict";

  var Api = window.ModerationApi;
  var DEFAULT_SECONDS = 60;
  var RETRY_MS = 5000;

  function create(hooks) {
    var held = [];

    function holding(item) {
      return held.indexOf(item) >= 0;
    }

    function halfClaim(item) {
      return item.claimSeconds * 500;
    }

    function schedule(item, ms) {
      clearTimeout(item.renewTimer);
      item.renewTimer = setTimeout(function () { renew(item); }, ms == null ? halfClaim(item) : ms);
    }

    function hold(item, seconds) {
      item.claimSeconds = seconds > 0 ? seconds : DEFAULT_SECONDS;
      item.renewedAt = Date.now();
      if (!holding(item)) held.push(item);
      schedule(item);
    }

    function drop(item) {
      clearTimeout(item.renewTimer);
      var i = held.indexOf(item);
      if (i >= 0) held.splice(i, 1);
    }

    // Resolves once no renewal of this item is on its way (so that a release uses the live claim).
    function settled(item) {
      return item.renewing || Promise.resolve();
    }

    function renew(item) {
      if (!holding(item) || item.renewing) return;
      if (item.busy) return schedule(item, 1000); // a decision or a skip is on its way
      item.renewing = Api.renew(item.id, item.claim).then(function (r) {
        item.renewing = null;
        if (!holding(item)) return;
        if (Api.refused(r.status)) return hooks.refused(r.status);
        if (r.status === 200 && r.data.claim) {
          item.claim = r.data.claim;
          if (r.data.claimSeconds > 0) item.claimSeconds = r.data.claimSeconds;
          item.renewedAt = Date.now();
          return schedule(item);
        }
        if (r.status === 409 || r.status === 404) {
          drop(item);
          var why = r.status === 404 ? "gone" : r.data.error === "claim_expired" ? "taken" : "decided";
          return hooks.lost(item, why);
        }
        schedule(item, RETRY_MS); // the service stumbled: the claim still has half its time
      }, function () {
        item.renewing = null;
        if (holding(item)) schedule(item, RETRY_MS);
      });
    }

    // Back from the background or a sleeping laptop: renew whatever is due.
    function catchUp() {
      var now = Date.now();
      held.slice().forEach(function (item) {
        if (now - item.renewedAt >= halfClaim(item)) renew(item);
      });
    }

    // A skip: back to the queue for everyone at once. Answers the service's reply.
    function release(item, keepalive) {
      return settled(item).then(function () {
        drop(item);
        return Api.release(item.id, item.claim, keepalive);
      });
    }

    // Every claim not being decided right now (best effort: an expired claim needs nothing).
    // With keepalive (the page is going away) the calls are sent at once, without waiting.
    function releaseAll(keepalive) {
      var open = held.filter(function (item) { return !item.busy; });
      return Promise.all(open.map(function (item) {
        item.busy = true;
        drop(item);
        return Api.release(item.id, item.claim, keepalive).then(null, function () { /* it lapses */ });
      }));
    }

    return {
      hold: hold,
      drop: drop,
      settled: settled,
      release: release,
      releaseAll: releaseAll,
      catchUp: catchUp,
    };
  }

  window.ModerationClaims = { create: create };
})();
