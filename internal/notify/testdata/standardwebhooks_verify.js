// Verifies webhook deliveries with the npm standardwebhooks package, the
// library receivers use. Reads a JSON list of cases on standard input, each
// {secret, headers, body, now_ms}; sets the receiver's clock to now_ms (the
// instant of the delivery, from Docket's injected clock) and answers, for
// each case in order, {ok, type, error} as JSON on standard output.
// Usage: node standardwebhooks_verify.js NPM_PREFIX < cases.json
const path = require("path");
const { Webhook } = require(path.join(process.argv[2], "node_modules", "standardwebhooks"));

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const realNow = Date.now;
  const out = JSON.parse(input).map((c) => {
    Date.now = () => c.now_ms;
    try {
      const payload = new Webhook(c.secret).verify(c.body, c.headers);
      return { ok: true, type: payload.type };
    } catch (e) {
      return { ok: false, error: String(e.message || e) };
    } finally {
      Date.now = realNow;
    }
  });
  process.stdout.write(JSON.stringify(out));
});
