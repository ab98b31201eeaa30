// The /verify page's second opinion: the browser checks the statement's
// Ed25519 signature itself (WebCrypto) against the keys Docket publishes,
// and says whether its check and the server's agree. Without JavaScript, or
// in a browser without Ed25519 in WebCrypto, the server's answer stands.
(function () {
  "use strict";

  var box = document.getElementById("browser-check");
  var field = document.getElementById("statement");
  var out = document.getElementById("browser-check-text");
  if (!box || !field || !out || !window.crypto || !window.crypto.subtle || !window.fetch) {
    return;
  }
  var token = field.value.trim();
  if (token === "") {
    return;
  }
  var server = box.getAttribute("data-server-valid") === "true";

  function bytes(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) {
      s += "=";
    }
    var bin = window.atob(s);
    var a = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      a[i] = bin.charCodeAt(i);
    }
    return a;
  }

  // report shows the browser's verdict (ok true or false; null when it
  // could not check) and whether it agrees with the server's.
  function report(ok, why) {
    var text;
    if (ok === null) {
      text = "Your browser could not check the signature itself (" + why + "); the server's answer stands.";
    } else {
      text = "Your browser's own check: " + (ok ? "Valid" : "Not valid") + ": " + why + ". " +
        (ok === server ? "Both checks agree." : "The two checks disagree: rely on neither, and ask the agency.");
    }
    out.textContent = text;
    box.className = "alert " + (ok === false || (ok !== null && ok !== server) ? "alert-error" : "alert-info");
    box.hidden = false;
  }

  var parts = token.split(".");
  if (parts.length !== 3) {
    report(false, "not a JWS: it needs three parts separated by dots");
    return;
  }
  var header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes(parts[0])));
  } catch (e) {
    report(false, "its header is not base64url JSON");
    return;
  }
  if (header.alg !== "EdDSA") {
    report(false, "its algorithm is \"" + header.alg + "\", not EdDSA (Ed25519)");
    return;
  }
  window.fetch("/.well-known/jwks.json", { credentials: "omit" }).then(function (r) {
    return r.json();
  }).then(function (set) {
    var key = null;
    (set.keys || []).forEach(function (k) {
      if (k.kid === header.kid && k.kty === "OKP" && k.crv === "Ed25519") {
        key = k;
      }
    });
    if (key === null) {
      report(false, "key \"" + header.kid + "\" is not among the keys this Docket publishes");
      return null;
    }
    return window.crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: key.x }, { name: "Ed25519" }, false, ["verify"])
      .then(function (k) {
        return window.crypto.subtle.verify({ name: "Ed25519" }, k, bytes(parts[2]), new TextEncoder().encode(parts[0] + "." + parts[1]));
      }).then(function (ok) {
        report(ok, ok ? "the signature verifies with key " + header.kid :
          "the signature does not verify with key " + header.kid + ": the statement was changed after it was signed, or another key signed it");
      });
  }).catch(function (e) {
    report(null, e && e.message ? e.message : "an error");
  });
})();
