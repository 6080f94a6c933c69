// Reads every message of a JetStream stream, from its first, and prints one JSON line per
// message: {"seq", "subject", "id", "type", "instance", "data"}. It stops once it has read all
// the messages the stream held when it started, and at least --wait-for N (within
// --timeout-ms).
//
//   node nats_read.js --server nats://127.0.0.1:4222 --stream GRACEWIRE [--wait-for N]
//                     [--timeout-ms 10000] [--user U --pass P] [--creds FILE] [--ca CA.pem]
"use strict";
const fs = require("fs");
const { connect, credsAuthenticator, StringCodec } = require("nats");

function args() {
  const out = { server: "nats://127.0.0.1:4222", stream: "GRACEWIRE", waitFor: 0, timeoutMs: 10000,
    user: "", pass: "", creds: "", ca: "" };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === "--server") out.server = value;
    else if (key === "--stream") out.stream = value;
    else if (key === "--wait-for") out.waitFor = Number(value);
    else if (key === "--timeout-ms") out.timeoutMs = Number(value);
    else if (key === "--user") out.user = value;
    else if (key === "--pass") out.pass = value;
    else if (key === "--creds") out.creds = value;
    else if (key === "--ca") out.ca = value;
    else throw new Error(`unknown argument ${key}`);
  }
  return out;
}

async function main() {
  const a = args();
  const options = { servers: a.server };
  if (a.user) Object.assign(options, { user: a.user, pass: a.pass });
  if (a.creds) options.authenticator = credsAuthenticator(fs.readFileSync(a.creds));
  if (a.ca) options.tls = { caFile: a.ca };
  const nc = await connect(options);
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(a.stream);
  const want = Math.max(a.waitFor, info.state.messages);
  const consumer = await nc.jetstream().consumers.get(a.stream);  // ordered, from the first
  const sc = StringCodec();
  let read = 0;
  const deadline = Date.now() + a.timeoutMs;
  while (read < want && Date.now() < deadline) {
    const batch = await consumer.fetch({ max_messages: 1000, expires: 1000 });
    for await (const m of batch) {
      read += 1;
      const h = m.headers;
      process.stdout.write(JSON.stringify({
        seq: m.seq, subject: m.subject,
        id: h ? h.get("Nats-Msg-Id") : "", type: h ? h.get("Gracewire-Type") : "",
        instance: h ? h.get("Gracewire-Instance") : "", data: sc.decode(m.data),
      }) + "\n");
    }
  }
  await nc.close();
}

main().catch((e) => { process.stderr.write(`nats_read: ${e.message}\n`); process.exit(1); });
