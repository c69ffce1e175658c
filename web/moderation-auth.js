/*! moderation-auth.js: signing moderators in to the console (web/moderation.html), with Cognito's
 * own API against the stack's user pool. No framework, no build step, no dependency.
 *
 * - Where things are comes from /config.json: {apiUrl, region, userPoolId, clientId,
 *   cognitoEndpoint, passwordPolicy} (the deploy writes it; `make dev` serves its own).
 * - Sign-in is USER_SRP_AUTH: the password never leaves the browser. The SRP-6a math of AWS's own
 *   clients (the 3072-bit group, k = H(N|g), x = H(salt | H(pool userId ":" password)), the
 *   "Caldera Derived Key" HKDF) runs here with BigInt and WebCrypto.
 * - A first sign-in with a temporary password answers NEW_PASSWORD_REQUIRED: the moderator
 *   chooses a password. "Forgot password?" is ForgotPassword / ConfirmForgotPassword (a code by
 *   email).
 * - Tokens live in this tab only (sessionStorage, or memory where storage is off), never in a
 *   URL or localStorage. The access token is refreshed (REFRESH_TOKEN_AUTH) a minute before it
 *   expires while the console is open; signing out revokes the refresh token (RevokeToken) and
 *   forgets them all.
 *
 * moderation.js uses window.ModerationAuth: start(hooks), apiUrl(), token(), fresh(),
 * signOut(message, kind), show(message, kind).
 */
(function () {
  "use strict";

  var SESSION_KEY = "moderation:session";
  var REFRESH_EARLY_MS = 60 * 1000;
  var N_HEX =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

  // ---- SRP-6a as Cognito runs it ---------------------------------------------------------------

  var N = BigInt("0x" + N_HEX);
  var G = BigInt(2);
  var ZERO = BigInt(0);
  var ONE = BigInt(1);
  var encoder = new TextEncoder();

  // Hex as AWS's clients hash a number: even length, and 00 first when the high bit is set.
  function padHex(value) {
    var hex = typeof value === "string" ? value : value.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    else if ("89abcdefABCDEF".indexOf(hex.charAt(0)) >= 0) hex = "00" + hex;
    return hex;
  }

  function hexToBytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }

  function bytesToHex(bytes) {
    var out = "";
    bytes.forEach(function (b) { out += (b < 16 ? "0" : "") + b.toString(16); });
    return out;
  }

  function concat() {
    var parts = Array.prototype.slice.call(arguments);
    var out = new Uint8Array(parts.reduce(function (n, p) { return n + p.length; }, 0));
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  function sha256(bytes) {
    return crypto.subtle.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); });
  }

  function hashHexToBigInt(hex) {
    return sha256(hexToBytes(hex)).then(function (d) { return BigInt("0x" + bytesToHex(d)); });
  }

  function hmac(keyBytes, messageBytes) {
    return crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) { return crypto.subtle.sign("HMAC", key, messageBytes); })
      .then(function (sig) { return new Uint8Array(sig); });
  }

  function modPow(base, exp, mod) {
    var result = ONE;
    base %= mod;
    if (base < ZERO) base += mod;
    while (exp > ZERO) {
      if (exp & ONE) result = (result * base) % mod;
      exp >>= ONE;
      base = (base * base) % mod;
    }
    return result;
  }

  function base64ToBytes(text) {
    var raw = atob(text);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function bytesToBase64(bytes) {
    var raw = "";
    bytes.forEach(function (b) { raw += String.fromCharCode(b); });
    return btoa(raw);
  }

  // Cognito's TIMESTAMP: "Tue Nov 28 09:05:01 UTC 2026" (the day of the month without a leading zero).
  function timestamp(now) {
    var days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return days[now.getUTCDay()] + " " + months[now.getUTCMonth()] + " " + now.getUTCDate() + " " +
      two(now.getUTCHours()) + ":" + two(now.getUTCMinutes()) + ":" + two(now.getUTCSeconds()) +
      " UTC " + now.getUTCFullYear();
  }

  // One sign-in's client side: a (secret), A = g^a, then the proof for Cognito's challenge.
  // `smallA` is for tests that compare the math with another implementation; never set it otherwise.
  function Srp(poolId, smallA) {
    this.poolName = poolId.split("_")[1];
    if (smallA) {
      this.a = smallA;
    } else {
      var random = crypto.getRandomValues(new Uint8Array(128));
      this.a = BigInt("0x" + bytesToHex(random)) % N;
    }
    this.A = modPow(G, this.a, N);
  }

  Srp.prototype.publicHex = function () {
    return this.A.toString(16);
  };

  // The HKDF key for this user and password, given the server's B and salt (hex).
  Srp.prototype.key = function (userId, password, bHex, saltHex) {
    var self = this;
    var B = BigInt("0x" + bHex);
    if (B % N === ZERO) return Promise.reject(new Error("The sign-in service sent an invalid value."));
    var k, u, x;
    return hashHexToBigInt(padHex(N) + padHex(G)).then(function (value) {
      k = value;
      return hashHexToBigInt(padHex(self.A) + padHex(B));
    }).then(function (value) {
      u = value;
      if (u === ZERO) throw new Error("The sign-in service sent an invalid value.");
      return sha256(encoder.encode(self.poolName + userId + ":" + password));
    }).then(function (inner) {
      return hashHexToBigInt(padHex(BigInt("0x" + saltHex)) + bytesToHex(inner));
    }).then(function (value) {
      x = value;
      var base = (B - k * modPow(G, x, N)) % N;
      var S = modPow(base < ZERO ? base + N : base, self.a + u * x, N);
      return hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
    }).then(function (prk) {
      return hmac(prk, concat(encoder.encode("Caldera Derived Key"), new Uint8Array([1])));
    }).then(function (okm) {
      return okm.slice(0, 16);
    });
  };

  // The PASSWORD_VERIFIER challenge's answer.
  Srp.prototype.answer = function (params, password, now) {
    var self = this;
    var when = timestamp(now || new Date());
    return this.key(params.USER_ID_FOR_SRP, password, params.SRP_B, params.SALT).then(function (key) {
      var message = concat(
        encoder.encode(self.poolName), encoder.encode(params.USER_ID_FOR_SRP),
        base64ToBytes(params.SECRET_BLOCK), encoder.encode(when)
      );
      return hmac(key, message);
    }).then(function (signature) {
      return {
        USERNAME: params.USERNAME || params.USER_ID_FOR_SRP,
        PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK,
        PASSWORD_CLAIM_SIGNATURE: bytesToBase64(signature),
        TIMESTAMP: when,
      };
    });
  };

  // ---- talking to Cognito ----------------------------------------------------------------------

  var config = null;

  function cognito(action, body) {
    return fetch(config.cognitoEndpoint, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService." + action,
      },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(null, function () { return {}; }).then(function (data) {
        if (res.ok) return data;
        var error = new Error(data.message || data.Message || "");
        error.code = String(data.__type || data.code || "Error").split("#").pop();
        throw error;
      });
    });
  }

  // What went wrong, in plain words for the moderator.
  function explain(error) {
    var code = error && error.code;
    var text = (error && error.message) || "";
    if (!code) return "Could not reach the sign-in service. Check your connection and try again.";
    if (code === "NotAuthorizedException" && /attempts exceeded/i.test(text)) {
      return "Too many wrong passwords. Wait a few minutes, or choose a new one with “Forgot password?”.";
    }
    if (code === "NotAuthorizedException" && /disabled/i.test(text)) {
      return "This moderator account is switched off. Ask whoever runs the comment service.";
    }
    if (code === "NotAuthorizedException" && /session/i.test(text)) {
      return "That took too long. Please start again.";
    }
    if (code === "NotAuthorizedException" || code === "UserNotFoundException") {
      return "Wrong email or password. Check both and try again, or use “Forgot password?”.";
    }
    if (code === "InvalidPasswordException") {
      return "That password is not allowed: " + rules() + ".";
    }
    if (code === "CodeMismatchException") return "That code is not right. Check the email we sent and try again.";
    if (code === "ExpiredCodeException") return "That code has expired. Ask for a new one with “Forgot password?”.";
    if (code === "LimitExceededException" || code === "TooManyRequestsException" || code === "TooManyFailedAttemptsException") {
      return "Too many attempts. Wait a few minutes, then try again.";
    }
    if (code === "UserNotConfirmedException") return "This account is not confirmed yet. Ask whoever runs the comment service.";
    return "Signing in failed (" + code + (text ? ": " + text : "") + "). Please try again.";
  }

  function rules() {
    var p = (config && config.passwordPolicy) || {};
    var parts = ["at least " + (p.MinimumLength || 8) + " characters"];
    var kinds = [];
    if (p.RequireUppercase) kinds.push("a capital letter");
    if (p.RequireLowercase) kinds.push("a small letter");
    if (p.RequireNumbers) kinds.push("a number");
    if (p.RequireSymbols) kinds.push("a symbol");
    if (kinds.length) parts.push("with " + kinds.join(", ").replace(/, ([^,]*)$/, " and $1"));
    return parts.join(" ");
  }

  // Why a new password is refused before asking Cognito, or "".
  function weakness(password) {
    var p = (config && config.passwordPolicy) || {};
    if (password.length < (p.MinimumLength || 8)) return "too short";
    if (p.RequireUppercase && !/[A-Z]/.test(password)) return "no capital letter";
    if (p.RequireLowercase && !/[a-z]/.test(password)) return "no small letter";
    if (p.RequireNumbers && !/[0-9]/.test(password)) return "no number";
    if (p.RequireSymbols && !/[^A-Za-z0-9]/.test(password)) return "no symbol";
    return "";
  }

  // ---- the session: tokens in this tab only ----------------------------------------------------

  var session = null; // {accessToken, idToken, refreshToken, expiresAt}
  var refreshTimer = null;
  var refreshing = null;
  var hooks = {};

  function load() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    } catch (e) {
      return null;
    }
  }

  function save(value) {
    session = value;
    try {
      if (value) sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
      else sessionStorage.removeItem(SESSION_KEY);
    } catch (e) {
      /* storage off: the session lives in this page only */
    }
    clearTimeout(refreshTimer);
    if (value) {
      var wait = Math.max(5000, value.expiresAt - Date.now() - REFRESH_EARLY_MS);
      refreshTimer = setTimeout(function () { fresh().then(null, function () {}); }, wait);
    }
  }

  function adopt(result, refreshToken) {
    save({
      accessToken: result.AccessToken,
      idToken: result.IdToken,
      refreshToken: result.RefreshToken || refreshToken,
      expiresAt: Date.now() + (result.ExpiresIn || 3600) * 1000,
    });
  }

  // A token good for at least another minute: refreshed first if need be. Rejects (and shows the
  // sign-in form) when the session cannot be refreshed.
  function fresh() {
    if (!session) return Promise.reject(new Error("signed out"));
    if (session.expiresAt - Date.now() > REFRESH_EARLY_MS) return Promise.resolve(session.accessToken);
    if (refreshing) return refreshing;
    var refreshToken = session.refreshToken;
    refreshing = cognito("InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: config.clientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }).then(function (data) {
      refreshing = null;
      if (!data.AuthenticationResult) throw new Error("no tokens");
      adopt(data.AuthenticationResult, refreshToken);
      return session.accessToken;
    }, function (error) {
      refreshing = null;
      if (error.code) {
        // Cognito refused the refresh token (revoked or expired): the session is over.
        save(null);
        end("Your session has ended. Please sign in again.");
      }
      throw error;
    });
    return refreshing;
  }

  function end(message, kind) {
    if (hooks.signedOut) hooks.signedOut();
    show(message, kind);
  }

  function signOut(message, kind) {
    var refreshToken = session && session.refreshToken;
    save(null);
    var revoked = refreshToken
      ? cognito("RevokeToken", { Token: refreshToken, ClientId: config.clientId }).then(null, function () {})
      : Promise.resolve();
    return revoked.then(function () { end(message, kind); });
  }

  // ---- the forms -------------------------------------------------------------------------------

  var $ = function (id) { return document.getElementById(id); };
  var el = {
    section: $("sign-in"),
    heading: $("sign-in-heading"),
    message: $("sign-in-error"),
    signIn: $("sign-in-form"),
    email: $("email"),
    password: $("password"),
    newPassword: $("new-password-form"),
    newPasswordInput: $("new-password"),
    newPasswordAgain: $("new-password-again"),
    newPasswordRules: $("new-password-rules"),
    reset: $("reset-form"),
    resetHint: $("reset-hint"),
    resetCode: $("reset-code"),
    resetPassword: $("reset-password"),
    resetRules: $("reset-password-rules"),
  };
  var forms = [el.signIn, el.newPassword, el.reset];
  var pending = null; // {username, session, email} between sign-in and choosing a new password
  var userId = ""; // the account's username at Cognito (USER_ID_FOR_SRP) in this sign-in
  var resetEmail = "";

  function say(message, kind, invalid) {
    el.message.textContent = message || "";
    el.message.className = kind === "info" ? "info" : "error";
    forms.forEach(function (form) {
      Array.prototype.forEach.call(form.querySelectorAll("input"), function (input) {
        input.removeAttribute("aria-invalid");
      });
    });
    (invalid || []).forEach(function (input) { input.setAttribute("aria-invalid", "true"); });
  }

  function open(form, heading, focus) {
    el.section.hidden = false;
    forms.forEach(function (f) { f.hidden = f !== form; });
    el.heading.textContent = heading;
    Array.prototype.forEach.call(form.querySelectorAll("input[type=password], #reset-code"), function (input) {
      input.value = "";
    });
    Array.prototype.forEach.call(form.querySelectorAll(".username-for-managers"), function (input) {
      input.value = el.email.value.trim();
    });
    (focus || form.querySelector("input:not([hidden])")).focus();
  }

  // The sign-in form, with a message (an error unless kind is "info").
  function show(message, kind) {
    pending = null;
    say(message, kind, message && kind !== "info" ? [el.password] : []);
    open(el.signIn, "Sign in", el.email.value ? el.password : el.email);
  }

  function busy(form, on) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = on; });
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  function signedIn(result) {
    adopt(result);
    pending = null;
    el.password.value = "";
    el.section.hidden = true;
    say("");
    if (hooks.signedIn) hooks.signedIn();
  }

  // After Cognito accepted the password: tokens, or the next step it asks for.
  function next(data, email) {
    if (data.AuthenticationResult) return signedIn(data.AuthenticationResult);
    if (data.ChallengeName === "NEW_PASSWORD_REQUIRED") {
      // Cognito names the user in this challenge's parameters, or only in the SRP step before it.
      var params = data.ChallengeParameters || {};
      var username = params.USER_ID_FOR_SRP || params.USERNAME || userId || email;
      pending = { username: username, session: data.Session, email: email };
      say("Welcome. This is your first sign-in with a temporary password: choose your own password now.", "info");
      el.newPasswordRules.textContent = "Use " + rules() + ".";
      return open(el.newPassword, "Choose your password");
    }
    say("This account needs a sign-in step the console does not offer (" + data.ChallengeName + "). " +
      "Ask whoever runs the comment service.", "error");
  }

  function signIn(email, password) {
    var srp = new Srp(config.userPoolId);
    return cognito("InitiateAuth", {
      AuthFlow: "USER_SRP_AUTH",
      ClientId: config.clientId,
      AuthParameters: { USERNAME: email, SRP_A: srp.publicHex() },
    }).then(function (data) {
      if (data.ChallengeName !== "PASSWORD_VERIFIER") return data;
      userId = data.ChallengeParameters.USER_ID_FOR_SRP || data.ChallengeParameters.USERNAME || "";
      return srp.answer(data.ChallengeParameters, password).then(function (answer) {
        var body = { ChallengeName: "PASSWORD_VERIFIER", ClientId: config.clientId, ChallengeResponses: answer };
        if (data.Session) body.Session = data.Session;
        return cognito("RespondToAuthChallenge", body);
      });
    });
  }

  function onSignIn(e) {
    e.preventDefault();
    var email = el.email.value.trim();
    var password = el.password.value;
    if (!email || !password) {
      return say("Please enter your email address and your password.", "error", [email ? el.password : el.email]);
    }
    busy(el.signIn, true);
    say("Signing in…", "info");
    signIn(email, password).then(function (data) {
      busy(el.signIn, false);
      next(data, email);
    }, function (error) {
      busy(el.signIn, false);
      el.password.value = "";
      say(explain(error), "error", [el.password]);
      el.password.focus();
    });
  }

  function onNewPassword(e) {
    e.preventDefault();
    var password = el.newPasswordInput.value;
    var problem = password !== el.newPasswordAgain.value ? "The two passwords are not the same." : weakness(password)
      ? "That password is not allowed (" + weakness(password) + "): use " + rules() + "." : "";
    if (problem) return say(problem, "error", [el.newPasswordInput]);
    if (!pending) return show("Please sign in again.");
    busy(el.newPassword, true);
    cognito("RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      ClientId: config.clientId,
      Session: pending.session,
      ChallengeResponses: { USERNAME: pending.username, NEW_PASSWORD: password },
    }).then(function (data) {
      busy(el.newPassword, false);
      next(data, pending && pending.email);
    }, function (error) {
      busy(el.newPassword, false);
      if (error.code === "NotAuthorizedException") return show(explain(error));
      say(explain(error), "error", [el.newPasswordInput]);
      el.newPasswordInput.focus();
    });
  }

  // "Forgot password?": a code by email to the address in the Email field, then a new password.
  function onForgot() {
    var email = el.email.value.trim();
    if (!email) {
      say("Enter your email address first, then choose “Forgot password?”.", "error", [el.email]);
      return el.email.focus();
    }
    busy(el.signIn, true);
    cognito("ForgotPassword", { ClientId: config.clientId, Username: email }).then(function (data) {
      busy(el.signIn, false);
      resetEmail = email;
      var where = ((data.CodeDeliveryDetails || {}).Destination) || email;
      el.resetHint.textContent = "If " + email + " is a moderator's address, we have emailed a code to " + where +
        ". Enter it with your new password.";
      el.resetRules.textContent = "Use " + rules() + ".";
      say("");
      open(el.reset, "Choose a new password");
    }, function (error) {
      busy(el.signIn, false);
      say(explain(error), "error", [el.email]);
    });
  }

  function onReset(e) {
    e.preventDefault();
    var code = el.resetCode.value.trim();
    var password = el.resetPassword.value;
    if (!code) return say("Please enter the code from the email.", "error", [el.resetCode]);
    if (weakness(password)) {
      return say("That password is not allowed (" + weakness(password) + "): use " + rules() + ".", "error", [el.resetPassword]);
    }
    busy(el.reset, true);
    cognito("ConfirmForgotPassword", {
      ClientId: config.clientId,
      Username: resetEmail,
      ConfirmationCode: code,
      Password: password,
    }).then(function () {
      el.email.value = resetEmail;
      return signIn(resetEmail, password).then(function (data) {
        busy(el.reset, false);
        next(data, resetEmail);
      });
    }).then(null, function (error) {
      busy(el.reset, false);
      var field = error.code === "InvalidPasswordException" ? el.resetPassword : el.resetCode;
      say(explain(error), "error", [field]);
      field.focus();
    });
  }

  el.signIn.addEventListener("submit", onSignIn);
  el.newPassword.addEventListener("submit", onNewPassword);
  el.reset.addEventListener("submit", onReset);
  $("forgot-password").addEventListener("click", onForgot);
  Array.prototype.forEach.call(el.section.querySelectorAll("[data-back]"), function (button) {
    button.addEventListener("click", function () { show(""); });
  });
  forms.forEach(function (form) {
    form.addEventListener("input", function (e) { e.target.removeAttribute("aria-invalid"); });
  });
  document.addEventListener("visibilitychange", function () {
    // Back from a sleeping laptop or a background tab: timers may not have run.
    if (document.visibilityState === "visible" && session) fresh().then(null, function () {});
  });

  // ---- start -----------------------------------------------------------------------------------

  function resume() {
    save(session);
    el.section.hidden = true;
    if (hooks.signedIn) hooks.signedIn();
  }

  function start(given) {
    hooks = given || {};
    fetch("/config.json", { cache: "no-cache", credentials: "omit" }).then(function (res) {
      if (!res.ok) throw new Error(String(res.status));
      return res.json();
    }).then(function (value) {
      config = value;
      var stored = load();
      if (!stored || !stored.refreshToken) return show();
      session = stored;
      // Signed in earlier in this tab: carry on (refreshing first if the token has expired).
      fresh().then(resume, function (error) {
        if (!error.code) resume(); // Cognito could not be reached: try with the token we have
      });
    }, function () {
      el.section.hidden = false;
      forms.forEach(function (f) { f.hidden = true; });
      say("The console is not set up: its configuration (/config.json) could not be loaded. " +
        "Ask whoever runs the comment service.", "error");
    });
  }

  window.ModerationAuth = {
    start: start,
    apiUrl: function () { return ((config && config.apiUrl) || "").replace(/\/+$/, ""); },
    token: function () { return session && session.accessToken; },
    fresh: fresh,
    signOut: signOut,
    show: show,
    // For tests that compare this SRP with another implementation (no network, no state).
    srp: { Srp: Srp, padHex: padHex, timestamp: timestamp },
  };
})();
