// One npm driver (mysql2 or mariadb) through gracewire, with or without TLS: two connections in a
// row (the second may offer the first one's TLS session for resumption), each running what
// test_tls_clients.py asserts on, then closing the way the driver closes (COM_QUIT).
//
//   node tls_probe.js mysql2|mariadb '{"host":…,"port":…,"user":…,"password":…,"ca":PATH|null}'
//
// Prints one JSON line per connection: {"connection_id", "server_ssl_version", "client_tls",
// "long_value_length", "answer"}; or {"error": {"code", "errno", "message"}} and exits 1.
'use strict';

const fs = require('fs');

const [driverName, argument] = process.argv.slice(2);
const target = JSON.parse(argument);

// TLS verified against `ca` (chain and the address's name), or no TLS at all: a driver that
// silently fell back to plaintext would fail the test's server-side check.
function options() {
  const common = {host: target.host, port: target.port, user: target.user,
                  password: target.password, connectTimeout: 10000};
  if (!target.ca) return {...common, ssl: false};
  const ca = fs.readFileSync(target.ca);
  if (driverName === 'mysql2') {
    return {...common, ssl: {ca, rejectUnauthorized: true, verifyIdentity: true}};
  }
  return {...common, ssl: {ca, rejectUnauthorized: true}};
}

// The version the driver's own socket negotiated, where the driver lets us see it.
function clientTls(conn) {
  const stream = driverName === 'mysql2' ? conn.connection.stream : null;
  return stream && typeof stream.getProtocol === 'function' ? stream.getProtocol() : null;
}

async function query(conn, sql) {
  const result = await conn.query(sql);
  return driverName === 'mysql2' ? result[0] : result;
}

async function probeOnce() {
  const driver = require(driverName === 'mysql2' ? 'mysql2/promise' : 'mariadb');
  const conn = await driver.createConnection(options());
  try {
    const [id] = await query(conn, 'SELECT CONNECTION_ID() AS id');
    const [status] = await query(conn, "SHOW SESSION STATUS LIKE 'Ssl_version'");
    const [row] = await query(conn, "SELECT REPEAT('x', 100000) AS text, 42 AS answer");
    return {connection_id: Number(id.id), server_ssl_version: status.Value,
            client_tls: clientTls(conn), long_value_length: row.text.length,
            answer: Number(row.answer)};
  } finally {
    await conn.end();
  }
}

(async () => {
  try {
    for (let i = 0; i < 2; ++i) console.log(JSON.stringify(await probeOnce()));
  } catch (err) {
    console.log(JSON.stringify({error: {code: err.code ?? null, errno: err.errno ?? null,
                                        message: String(err.message)}}));
    process.exit(1);
  }
})();
