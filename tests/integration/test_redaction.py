"""Secrets never reach the event log or the operational log, whatever shape the statement takes
and whatever the server quotes back (issue 8, item 2).

Each test sends statements through gracewire that carry a planted secret: in the forms the
redactor used to miss (a misspelt keyword, an introducer, hex and national literals, dynamic SQL)
and with syntax errors, so the server's ERR 1064 quotes the secret back in `error_message`. Then
the whole event log (with every `*_base64` field decoded) and gracewire's own log are searched
for each secret, for its hex encoding and for its base64."""

import base64
import json
import tempfile
import time
import unittest
from pathlib import Path

import pymysql

import harness

kFlushSeconds = 0.1
kSyntaxError = 1064


def setUpModule():
    global EVENT_LOG
    directory = Path(tempfile.mkdtemp(prefix="gw-redaction-"))
    EVENT_LOG = directory / "events.jsonl"
    config = directory / "gracewire.toml"
    config.write_text(f"[event_log]\npath = \"{EVENT_LOG}\"\nflush_interval = \"100ms\"\n")
    harness.start_stack("redaction", gracewire_args=("--config", str(config)))


def tearDownModule():
    harness.stop_stack()


def records() -> list[dict]:
    if not EVENT_LOG.exists():
        return []
    return [json.loads(line) for line in EVENT_LOG.read_text().splitlines() if line.strip()]


def close_of(server_conn_id: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r["type"] == "close" and r["server_conn_id"] == server_conn_id for r in records()):
            return
        time.sleep(kFlushSeconds)
    raise AssertionError(f"no close record for server connection {server_conn_id}")


def everything_logged() -> str:
    """The event log as written, plus the bytes behind each *_base64 field, plus gracewire's log."""
    text = EVENT_LOG.read_text()
    parts = [text]
    for record in records():
        for key, value in record.items():
            if key.endswith("_base64") and isinstance(value, str):
                parts.append(base64.b64decode(value).decode(errors="replace"))
    log = harness.STACK.artifacts / "gracewire.log" if harness.STACK else None
    if log and log.exists():
        parts.append(log.read_text(errors="replace"))
    return "\n".join(parts)


def encodings(secret: str) -> list[str]:
    raw = secret.encode()
    return [secret, raw.hex(), raw.hex().upper(), base64.b64encode(raw).decode()]


class RedactionTest(harness.IntegrationTestCase):
    def run_statements(self, statements: list[str]) -> tuple[int, dict[str, int]]:
        """Sends each statement on one connection; returns the server connection id and the error
        code each statement got (0 = success)."""
        conn = self.connect(self.stack.proxied, autocommit=True)
        server_id = conn.thread_id()
        codes = {}
        with conn.cursor() as cur:
            for sql in statements:
                try:
                    cur.execute(sql)
                    codes[sql] = 0
                except pymysql.err.MySQLError as e:
                    codes[sql] = e.args[0]
        conn.close()
        close_of(server_id)
        return server_id, codes

    def commands_of(self, server_id: int) -> list[dict]:
        return [r for r in records() if r["type"] == "command" and r["server_conn_id"] == server_id]

    def assert_no_secret(self, secrets: list[str]) -> None:
        logged = everything_logged()
        for secret in secrets:
            for form in encodings(secret):
                at = logged.find(form)
                self.assertEqual(at, -1, f"{secret!r} reached a log as {form!r}: "
                                 f"…{logged[max(0, at - 200):at + 100]}…")

    def test_server_error_text_quoting_the_statement(self):
        secrets = ["PlantedSecretErr1", "PlantedSecretErr2", "PlantedSecretErr3",
                   "PlantedSecretErr4"]
        statements = [
            # The server quotes from the misspelt word on: the secret is in error_message.
            f"CREATE USERR 'gw_red_e1'@'%' IDENTIFIED BY '{secrets[0]}'",
            # An unquoted secret: the quoted fragment holds no keyword at all.
            f"CREATE USER 'gw_red_e2'@'%' IDENTIFIED BY {secrets[1]}",
            f"SELECT PASSWORD('{secrets[2]}') FRM dual",
            f"SET PASSWORD FOR 'gw_red_e3'@'%' = PASSWORD('{secrets[3]}') garbage",
        ]
        server_id, codes = self.run_statements(statements)
        for sql in statements:
            self.assertEqual(codes[sql], kSyntaxError, sql)
        errors = [r for r in self.commands_of(server_id) if r.get("error_code") == kSyntaxError]
        self.assertEqual(len(errors), len(statements))
        for record in errors:
            self.assertIn("You have an error in your SQL syntax", record["error_message"])
        self.assert_no_secret(secrets)

    def test_misspelt_keywords_introducers_and_literal_kinds(self):
        secrets = ["PlantedSecretLit1", "PlantedSecretLit2", "PlantedSecretLit3",
                   "PlantedSecretLit4", "PlantedSecretLit5", "PlantedSecretLit6"]
        hex_secret = secrets[2].encode().hex()
        statements = [
            f"CREATE USER IF NOT EXISTS 'gw_red_l1'@'%' IDENTIFIED BYY '{secrets[0]}'",
            f"CREATE USER IF NOT EXISTS 'gw_red_l2'@'%' IDENTIFIED BY _latin1'{secrets[1]}'",
            f"CREATE USER IF NOT EXISTS 'gw_red_l3'@'%' IDENTIFIED BY X'{hex_secret}'",
            f"CREATE USER IF NOT EXISTS 'gw_red_l4'@'%' IDENTIFIED BY N'{secrets[3]}'",
            f"CREATE USER IF NOT EXISTS 'gw_red_l5'@'%' IDENTIFEID BY '{secrets[4]}'",
            f"SELECT 1 FROM dual WHERE 'x' = _utf8mb4 X'{secrets[5].encode().hex()}' "
            "AND PASSWORD('a') IS NOT NULL",
        ]
        server_id, _ = self.run_statements(statements)
        self.assertGreaterEqual(len(self.commands_of(server_id)), len(statements))
        self.assert_no_secret(secrets)
        self.run_statements([f"DROP USER IF EXISTS 'gw_red_l{i}'@'%'" for i in range(1, 6)])

    def test_dynamic_sql(self):
        secrets = ["PlantedSecretDyn1", "PlantedSecretDyn2", "PlantedSecretDyn3",
                   "PlantedSecretDyn4"]
        statements = [
            "EXECUTE IMMEDIATE CONCAT('CREATE USER IF NOT EXISTS gw_red_d1@''%'' IDENTIFIED BY ', "
            f"'''{secrets[0]}''')",
            "SET @gw_red_s = 'CREATE USER IF NOT EXISTS gw_red_d2@''%'' IDENTIFIED BY "
            f"\"{secrets[1]}\"'",
            "PREPARE gw_red_p FROM @gw_red_s",
            "EXECUTE gw_red_p",
            "PREPARE gw_red_q FROM 'ALTER USER gw_red_d2@''%'' IDENTIFIED BY "
            f"''{secrets[2]}'''",
            "EXECUTE gw_red_q",
            "EXECUTE IMMEDIATE 'SET PASSWORD FOR gw_red_d1@''%'' = PASSWORD(\\'"
            f"{secrets[3]}\\')'",
        ]
        server_id, codes = self.run_statements(statements)
        self.assertEqual([codes[s] for s in statements], [0] * len(statements), codes)
        self.assertGreaterEqual(len(self.commands_of(server_id)), len(statements))
        self.assert_no_secret(secrets)
        self.run_statements(["DROP USER IF EXISTS gw_red_d1@'%'", "DROP USER IF EXISTS gw_red_d2@'%'"])

    def test_statements_without_secrets_stay_readable(self):
        statements = ["SELECT 'plain text' AS label", "SELECT 42 AS answer"]
        server_id, _ = self.run_statements(statements)
        logged = {r["statement"] for r in self.commands_of(server_id)}
        for sql in statements:
            self.assertIn(sql, logged)


if __name__ == "__main__":
    unittest.main()
