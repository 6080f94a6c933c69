// Creates a JetStream stream with the limits a test needs (a full stream, a stream that misses
// some of gracewire's subjects), with NATS's own client.
//
//   node nats_stream.js --server nats://127.0.0.1:4222 --stream GRACEWIRE
//                       --subjects "gracewire.>" [--max-bytes N] [--max-msgs N]
//                       [--duplicate-window-ms N]
//                       [--ca CA.pem]
"use strict";
const { connect, DiscardPolicy, nanos } = require("nats");

async function main() {
  const a = { server: "", stream: "", subjects: [], maxBytes: -1, maxMsgs: -1,
    duplicateWindowMs: 120000, ca: "" };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === "--server") a.server = value;
    else if (key === "--stream") a.stream = value;
    else if (key === "--subjects") a.subjects = value.split(",");
    else if (key === "--max-bytes") a.maxBytes = Number(value);
    else if (key === "--max-msgs") a.maxMsgs = Number(value);
    else if (key === "--duplicate-window-ms") a.duplicateWindowMs = Number(value);
    else if (key === "--ca") a.ca = value;
    else throw new Error(`unknown argument ${key}`);
  }
  const nc = await connect(a.ca ? { servers: a.server, tls: { caFile: a.ca } }
    : { servers: a.server });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({
    name: a.stream, subjects: a.subjects, max_bytes: a.maxBytes, max_msgs: a.maxMsgs,
    discard: DiscardPolicy.New,
    duplicate_window: nanos(a.duplicateWindowMs),
  });
  await nc.close();
}

main().catch((e) => { process.stderr.write(`nats_stream: ${e.message}\n`); process.exit(1); });
