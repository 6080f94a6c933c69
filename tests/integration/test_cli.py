"""The `mariadb` command-line client through gracewire gives exactly what it gives directly."""

import unittest

import harness


def setUpModule():
    harness.start_stack("cli")


def tearDownModule():
    harness.stop_stack()


class MariadbCliTest(harness.IntegrationTestCase):
    def cli_both(self, *args, input=None, before=None, **kwargs):
        """Runs the CLI directly and through gracewire; asserts the same exit code, stdout and stderr.

        `before`, if given, runs (directly) before each of the two runs, e.g. to reset a schema."""
        results = []
        for endpoint in (self.stack.direct, self.stack.proxied):
            if before:
                before()
            p = harness.mariadb_cli(endpoint, self.server, *args, input=input, **kwargs)
            results.append((p.returncode, p.stdout, p.stderr))
        self.assertEqual(results[1], results[0], "CLI output through gracewire differs from direct")
        return results[1]

    def test_queries(self):
        code, out, err = self.cli_both("--batch", "-e", (
            "SELECT 1 AS one, 'two' AS two, NULL AS nothing, 3.14 AS pi, "
            "CAST('2024-02-29 12:34:56.123456' AS DATETIME(6)) AS ts, _utf8mb4'h\u00e9 \u2603' AS uni"))
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out, "one\ttwo\tnothing\tpi\tts\tuni\n"
                              "1\ttwo\tNULL\t3.14\t2024-02-29 12:34:56.123456\th\u00e9 \u2603\n")

    def test_column_metadata(self):
        harness.mariadb_cli(self.stack.direct, self.server, "-e",
                            "CREATE OR REPLACE TABLE cli_meta (id INT UNSIGNED PRIMARY KEY, "
                            "price DECIMAL(10,2), name VARCHAR(20) CHARACTER SET latin1); "
                            "INSERT INTO cli_meta VALUES (1, 9.99, 'x')")
        # --column-type-info prints every field of each column definition (only in table mode)
        code, out, err = self.cli_both("--table", "--column-type-info",
                                       input="SELECT id AS ident, price, name FROM cli_meta\n")
        self.assertEqual((code, err), (0, ""))
        self.assertIn("Field   1:  `ident`\nOrg_field:  `id`\nCatalog:    `def`\nDatabase:   `test`\n"
                      "Table:      `cli_meta`\nOrg_table:  `cli_meta`\nType:       LONG\n", out)
        self.assertIn("Type:       NEWDECIMAL", out)
        self.assertIn("Type:       VAR_STRING", out)

    def test_many_rows(self):
        code, out, _ = self.cli_both("--batch", "-e", "SELECT seq, MD5(seq) FROM seq_1_to_50000")
        self.assertEqual(code, 0)
        lines = out.splitlines()
        self.assertEqual(len(lines), 50001)
        self.assertEqual(lines[-1].split("\t")[0], "50000")

    def test_multi_statements_in_one_packet(self):
        # With a custom delimiter the client sends the three statements as one COM_QUERY and reads
        # three result sets (CLIENT_MULTI_STATEMENTS / MULTI_RESULTS).
        script = "DELIMITER //\nSELECT 1 AS a; DO 1; SELECT 'x' AS b, 'y' AS c; SELECT 3 AS d//\n"
        code, out, err = self.cli_both("--batch", input=script)
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out, "a\n1\nb\tc\nx\ty\nd\n3\n")

    def test_stored_procedure_with_several_result_sets(self):
        setup = (
            "DROP PROCEDURE IF EXISTS cli_three_sets;\n"
            "DELIMITER //\n"
            "CREATE PROCEDURE cli_three_sets(n INT)\n"
            "BEGIN\n"
            "  SELECT seq FROM seq_1_to_100 WHERE seq <= n;\n"
            "  SELECT 'second' AS s, n * 2 AS doubled;\n"
            "  SELECT NULL AS empty_set FROM DUAL WHERE FALSE;\n"
            "END//\n")
        p = harness.mariadb_cli(self.stack.direct, self.server, input=setup)
        self.assertEqual(p.returncode, 0, p.stderr)
        code, out, err = self.cli_both("--batch", "-e", "CALL cli_three_sets(3); SELECT 'after' AS z")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out, "seq\n1\n2\n3\ns\tdoubled\nsecond\t6\nz\nafter\n")

    def test_load_data_local_infile(self):
        data = self.stack.tmp / "cli_rows.tsv"
        with data.open("w") as f:
            for i in range(1, 5001):
                note = "\\N" if i % 7 == 0 else f"row {i} caf\u00e9 \"quoted\" 'single'"
                f.write(f"{i}\t{note}\t{i * 1.5}\n")
        for endpoint in (self.stack.direct, self.stack.proxied):
            table = f"cli_load_{endpoint.name.split('(')[0]}"
            script = (f"DROP TABLE IF EXISTS {table};\n"
                      f"CREATE TABLE {table} (id INT PRIMARY KEY, note VARCHAR(100), v DOUBLE);\n"
                      f"LOAD DATA LOCAL INFILE '{data}' INTO TABLE {table};\n"
                      f"SELECT COUNT(*), SUM(note IS NULL), SUM(v) FROM {table};\n")
            p = harness.mariadb_cli(endpoint, self.server, "--batch", "--local-infile=1", input=script)
            self.assertEqual((p.returncode, p.stderr), (0, ""), endpoint)
            self.assertEqual(p.stdout, "COUNT(*)\tSUM(note IS NULL)\tSUM(v)\n5000\t714\t18753750\n",
                             endpoint)
        code, out, _ = self.cli_both(
            "--batch", "-e",
            "SELECT COUNT(*) FROM cli_load_direct d JOIN cli_load_gracewire g "
            "ON d.id = g.id AND d.note <=> g.note AND d.v = g.v")
        self.assertEqual((code, out), (0, "COUNT(*)\n5000\n"))

    def test_source_style_batch(self):
        inner = self.stack.tmp / "cli_inner.sql"
        inner.write_text("INSERT INTO items (name, qty) VALUES ('from source', 7);\n")
        script = f"""
-- a batch as people feed it to the client: comments, DDL, DML, a trigger, SOURCE, errors after --force
/* block comment */
CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT,
                    total INT DEFAULT 0);
INSERT INTO items (name, qty) VALUES ('a', 1), ('b', 2), ('c', NULL);
DELIMITER $$
CREATE TRIGGER items_total BEFORE INSERT ON items FOR EACH ROW
BEGIN
  SET NEW.total = COALESCE(NEW.qty, 0) * 10;
END$$
DELIMITER ;
INSERT INTO items (name, qty) VALUES ('d', 4);
SOURCE {inner}
UPDATE items SET qty = qty + 1 WHERE qty IS NOT NULL;
SELECT * FROM items ORDER BY id;
SELECT * FROM no_such_table;
SELECT COUNT(*) AS n, SUM(total) AS t FROM items;
DELETE FROM items WHERE name = 'a';
SELECT ROW_COUNT() AS deleted;
"""
        def fresh_schema():
            p = harness.mariadb_cli(self.stack.direct, self.server, "-e",
                                    "DROP DATABASE IF EXISTS batch; CREATE DATABASE batch")
            self.assertEqual(p.returncode, 0, p.stderr)

        code, out, err = self.cli_both("--force", "--table", input=script, database="batch",
                                       before=fresh_schema)
        self.assertEqual(code, 0)  # --force: errors are reported, the exit code stays 0
        self.assertIn("ERROR 1146 (42S02) at line 17: Table 'batch.no_such_table' doesn't exist", err)
        self.assertIn("|  5 | from source |    8 |    70 |", out)
        self.assertIn("| n | t    |\n+---+------+\n| 5 |  110 |", out)
        self.assertIn("| deleted |\n+---------+\n|       1 |", out)

    def test_warnings_and_errors_keep_the_session(self):
        code, out, err = self.cli_both(
            "--batch", "--force", "--show-warnings", input=
            "SELECT 1/0 AS d;\nSELECT * FROM nope;\nSELECT 'still here' AS s;\n")
        self.assertEqual(code, 0)
        self.assertIn("Warning (Code 1365): Division by 0", out)
        self.assertIn("ERROR 1146 (42S02) at line 2: Table 'test.nope' doesn't exist", err)
        self.assertTrue(out.endswith("s\nstill here\n"), out)

    def test_unknown_database(self):
        self.expect_server_aborts("Access denied", Aborted_connects=2)
        code, out, err = self.cli_both("-e", "SELECT 1", database="no_such_db")
        self.assertEqual(code, 1)
        self.assertEqual(err.strip(), "ERROR 1049 (42000): Unknown database 'no_such_db'")

    def test_wrong_password(self):
        self.expect_server_aborts("Access denied", Aborted_connects=2)
        code, out, err = self.cli_both("-e", "SELECT 1", password="not-the-password")
        self.assertEqual(code, 1)
        self.assertEqual(err.strip(), "ERROR 1045 (28000): Access denied for user 'gracewire'@'127.0.0.1' "
                                      "(using password: YES)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
