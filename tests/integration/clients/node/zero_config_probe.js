// npm `mariadb` logging in with the TLS options it is given, for test_tls_zero_config.py: one
// connection, `SELECT 1`, then the driver's own close (COM_QUIT).
//
//   node zero_config_probe.js '{"host":…,"port":…,"user":…,"password":…,"ssl":true|{…}}'
//
// The options go to createConnection as they are (`ssl.ca` is the PEM text itself). Prints one
// JSON line, {"ok": true, "rows": [...]} or {"ok": false, "code", "errno", "message"}, and exits
// 0 or 1.
'use strict';

const mariadb = require('mariadb');

const options = JSON.parse(process.argv[2]);

(async () => {
  try {
    const conn = await mariadb.createConnection({...options, connectTimeout: 10000});
    try {
      const rows = await conn.query('SELECT 1');
      console.log(JSON.stringify({ok: true, rows}));
    } finally {
      await conn.end();
    }
  } catch (err) {
    console.log(JSON.stringify({ok: false, code: err.code ?? null, errno: err.errno ?? null,
                                message: String(err.message)}));
    process.exit(1);
  }
})();
