// Makes an operator-mode NATS set-up for a test of credentials files: an operator, an account
// with JetStream, and a user of that account, each with its own nkey, bound by signed JWTs. It
// writes DIR/server.conf (to include in nats-server's configuration: the operator, the
// account preloaded in a memory resolver) and DIR/user.creds (the user's JWT and nkey seed,
// as `nsc` writes them), plus DIR/other.creds: a user signed by a key the account does not
// know, which the server must refuse.
//
//   node nats_operator.js --dir DIR
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { nkeys } = require("nats");

const dec = new TextDecoder();
const b64url = (data) => Buffer.from(data).toString("base64url");

// A NATS JWT (v2): claims signed with the issuer's nkey (ed25519). The jti is the base32 of the
// SHA-512/256 of the claims without it, as the NATS JWT library computes it.
function jwt(issuer, subjectKey, name, nats) {
  const claims = { jti: "", iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(),
    name, sub: subjectKey, nats };
  const hash = crypto.createHash("sha512-256").update(JSON.stringify(claims)).digest();
  claims.jti = base32(hash);
  const header = b64url(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const body = b64url(JSON.stringify(claims));
  const signature = issuer.sign(Buffer.from(`${header}.${body}`));
  return `${header}.${body}.${b64url(signature)}`;
}

function base32(bytes) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0, out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function creds(userJwt, user) {
  return "-----BEGIN NATS USER JWT-----\n" + userJwt + "\n------END NATS USER JWT------\n\n"
    + "************************* IMPORTANT *************************\n"
    + "NKEY Seed printed below can be used to sign and prove identity.\n"
    + "NKEYs are sensitive and should be treated as secrets.\n\n"
    + "-----BEGIN USER NKEY SEED-----\n" + dec.decode(user.getSeed())
    + "\n------END USER NKEY SEED------\n";
}

function main() {
  const argv = process.argv.slice(2);
  if (argv[0] !== "--dir" || !argv[1]) throw new Error("usage: nats_operator.js --dir DIR");
  const dir = argv[1];
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const system = nkeys.createAccount();
  const user = nkeys.createUser();
  const stranger = nkeys.createAccount();
  const key = (kp) => kp.getPublicKey();

  const operatorJwt = jwt(operator, key(operator), "gw-test-operator",
    { type: "operator", version: 2, system_account: key(system) });
  const unlimited = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true,
    conn: -1, leaf: -1 };
  const accountJwt = jwt(operator, key(account), "gw-test-account", {
    limits: { ...unlimited, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 },
    default_permissions: { pub: {}, sub: {} }, type: "account", version: 2 });
  const systemJwt = jwt(operator, key(system), "SYS", {
    limits: unlimited, default_permissions: { pub: {}, sub: {} }, type: "account", version: 2 });
  const userClaims = { pub: {}, sub: {}, subs: -1, data: -1, payload: -1, type: "user", version: 2 };
  const userJwt = jwt(account, key(user), "gw-test-user", userClaims);
  const strangerJwt = jwt(stranger, key(user), "gw-test-stranger", userClaims);

  fs.writeFileSync(path.join(dir, "server.conf"),
    `operator: ${operatorJwt}\nsystem_account: ${key(system)}\nresolver: MEMORY\n`
    + `resolver_preload: {\n  ${key(account)}: ${accountJwt}\n  ${key(system)}: ${systemJwt}\n}\n`);
  fs.writeFileSync(path.join(dir, "user.creds"), creds(userJwt, user), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "other.creds"), creds(strangerJwt, user), { mode: 0o600 });
}

try {
  main();
} catch (e) {
  process.stderr.write(`nats_operator: ${e.message}\n`);
  process.exit(1);
}
