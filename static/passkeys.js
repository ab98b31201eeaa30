// Docket's passkey script: adding a passkey on the account page and signing
// in with one on the sign-in page. It shows the forms marked data-passkey
// only when the browser makes passkeys; without it, the pages offer codes.
//
// A form's submit asks its data-options address (POST, with the form's CSRF
// token, and on the sign-in page which step it is) for a ceremony: {ceremony, options: {publicKey}}. The browser's
// answer is posted with the form, as JSON in its credential field, and the
// server checks it (the challenge, this site's origin, user verification).
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    return;
  }

  function fromB64url(s) {
    var b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) {
      out[i] = b.charCodeAt(i);
    }
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf);
    var s = "";
    for (var i = 0; i < bytes.length; i++) {
      s += String.fromCharCode(bytes[i]);
    }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = { type: d.type, id: fromB64url(d.id) };
      if (d.transports) {
        out.transports = d.transports;
      }
      return out;
    });
  }

  // publicKey turns the server's JSON options into what the browser takes.
  function publicKey(o, kind) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    if (kind === "create") {
      pk.user = Object.assign({}, pk.user, { id: fromB64url(pk.user.id) });
      pk.excludeCredentials = descriptors(pk.excludeCredentials);
    } else {
      pk.allowCredentials = descriptors(pk.allowCredentials);
    }
    return pk;
  }

  // answer is the browser's credential as the server reads it.
  function answer(cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      out.response.userHandle = r.userHandle ? toB64url(r.userHandle) : undefined;
    }
    return JSON.stringify(out);
  }

  function say(form, text) {
    var status = form.querySelector(".passkey-status");
    if (status) {
      status.textContent = text;
    }
  }

  function ceremony(form) {
    var kind = form.getAttribute("data-passkey");
    var body = new URLSearchParams();
    body.set("csrf_token", form.elements.csrf_token.value);
    if (form.elements.step) {
      body.set("step", form.elements.step.value);
    }
    say(form, "Waiting for your passkey…");
    fetch(form.getAttribute("data-options"), {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: body
    })
      .then(function (res) {
        return res.json().then(function (j) {
          if (!res.ok) {
            throw new Error((j.error && j.error.message) || "the server refused");
          }
          return j;
        });
      })
      .then(function (j) {
        form.elements.ceremony.value = j.ceremony;
        var pk = publicKey(j.options, kind);
        return kind === "create" ? navigator.credentials.create({ publicKey: pk }) : navigator.credentials.get({ publicKey: pk });
      })
      .then(function (cred) {
        form.elements.credential.value = answer(cred);
        say(form, "Checking…");
        form.submit();
      })
      .catch(function (err) {
        var why = err && err.name === "NotAllowedError" ? "it was cancelled, or timed out" : (err && err.message) || "something went wrong";
        say(form, "The passkey was not used: " + why + ". Try again, or use another way.");
      });
  }

  var forms = document.querySelectorAll("form[data-passkey]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].hidden = false;
    forms[i].addEventListener("submit", function (ev) {
      ev.preventDefault();
      ceremony(ev.currentTarget);
    });
  }
  var missing = document.querySelectorAll("[data-passkey-missing]");
  for (var j = 0; j < missing.length; j++) {
    missing[j].hidden = true;
  }
})();
