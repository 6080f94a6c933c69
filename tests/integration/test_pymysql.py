"""PyMySQL through gracewire: types, a 20 MiB row, multi-statements, procedures, LOAD DATA, transactions."""

import concurrent.futures
import contextlib
import datetime
import decimal
import hashlib
import json
import os
import unittest

import pymysql
from pymysql.constants import CLIENT

import harness

kBigRowBytes = 20 * 1024 * 1024  # above 16 MiB: one row spans two protocol packets


def setUpModule():
    harness.start_stack("pymysql")


def tearDownModule():
    harness.stop_stack()


def fetch_all_sets(cursor):
    """Every result set of the last statement: (description, rows) per set, rowcount for OKs."""
    sets = []
    while True:
        if cursor.description:
            sets.append((cursor.description, cursor.fetchall()))
        else:
            sets.append(("ok", cursor.rowcount))
        if not cursor.nextset():
            return sets


class PyMySQLTest(harness.IntegrationTestCase):
    def exec_direct(self, *statements):
        with contextlib.closing(harness.connect(self.stack.direct, self.server,
                                                autocommit=True)) as conn, conn.cursor() as cur:
            for sql in statements:
                cur.execute(sql)

    def test_column_types(self):
        self.exec_direct(
            "CREATE OR REPLACE TABLE py_types ("
            " id INT PRIMARY KEY, ti TINYINT, su SMALLINT UNSIGNED, bu BIGINT UNSIGNED, bs BIGINT,"
            " f FLOAT, d DOUBLE, dec_ DECIMAL(30,10), dt DATE, tm TIME(3), ts DATETIME(6),"
            " tstamp TIMESTAMP NULL, yr YEAR, ch CHAR(3), vc VARCHAR(50), tx MEDIUMTEXT, bl BLOB,"
            " bt BIT(10), en ENUM('red','green'), st SET('a','b','c'), js JSON)",
            "INSERT INTO py_types VALUES"
            " (1, -128, 65535, 18446744073709551615, -9223372036854775808, 1.5, 2.25,"
            "  '12345678901234567890.0123456789', '2024-02-29', '-838:59:58.999',"
            "  '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', 2155, 'abc',"
            "  'h\u00e9llo \U0001F600 w\u00f6rld', REPEAT('t', 70000), UNHEX(REPEAT('00FF7F80', 64)),"
            "  b'1010101010', 'green', 'a,c', '{\"k\": [1, 2.5, null, \"x\"]}'),"
            " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            "  NULL, NULL, NULL, NULL, NULL, NULL),"
            " (3, 0, 0, 0, 0, 0, 0, 0, '1000-01-01', '00:00:00', '1000-01-01 00:00:00', NULL, 1901,"
            "  '', '', '', '', b'0', 'red', '', '[]')")

        def select(conn):
            with conn.cursor() as cur:
                cur.execute("SELECT * FROM py_types ORDER BY id")
                return cur.description, cur.fetchall()

        description, rows = self.both(select)
        self.assertEqual(len(rows), 3)
        one, two, three = rows
        self.assertEqual(one[3], 18446744073709551615)
        self.assertEqual(one[4], -9223372036854775808)
        self.assertEqual(one[7], decimal.Decimal("12345678901234567890.0123456789"))
        self.assertEqual(one[8], datetime.date(2024, 2, 29))
        self.assertEqual(one[9], -datetime.timedelta(hours=838, minutes=59, seconds=58, milliseconds=999))
        self.assertEqual(one[10], datetime.datetime(9999, 12, 31, 23, 59, 59, 999999))
        self.assertEqual(one[14], "h\u00e9llo \U0001F600 w\u00f6rld")
        self.assertEqual(len(one[15]), 70000)
        self.assertEqual(one[16], bytes.fromhex("00FF7F80" * 64))
        self.assertEqual(one[17], (0b1010101010).to_bytes(2, "big"))
        self.assertEqual(json.loads(one[20]), {"k": [1, 2.5, None, "x"]})
        self.assertEqual(two[1:], (None,) * 20)
        self.assertEqual(three[13:17], ("", "", "", b""))
        self.assertEqual([c[0] for c in description][-3:], ["en", "st", "js"])

    def test_20mib_longblob_round_trip(self):
        self.exec_direct("CREATE OR REPLACE TABLE py_big (id INT PRIMARY KEY, b LONGBLOB)")
        payload = os.urandom(kBigRowBytes)
        digest = hashlib.sha256(payload).hexdigest()
        big = dict(max_allowed_packet=64 * 1024 * 1024)

        with contextlib.closing(harness.connect(self.stack.proxied, self.server, **big)) as conn:
            with conn.cursor() as cur:
                cur.execute("INSERT INTO py_big VALUES (1, %s)", (payload,))
                conn.commit()
                cur.execute("SELECT LENGTH(b), SHA2(b, 256) FROM py_big WHERE id = 1")
                self.assertEqual(cur.fetchone(), (kBigRowBytes, digest), "server got different bytes")

        def read_back(conn):
            with conn.cursor() as cur:
                cur.execute("SELECT id, b FROM py_big WHERE id = 1")
                row_id, blob = cur.fetchone()
                return row_id, len(blob), hashlib.sha256(blob).hexdigest()

        self.assertEqual(self.both(read_back, **big), (1, kBigRowBytes, digest))

    def test_multi_statements(self):
        def run(conn):
            with conn.cursor() as cur:
                cur.execute("CREATE OR REPLACE TABLE py_multi (id INT PRIMARY KEY, v VARCHAR(10));"
                            " INSERT INTO py_multi VALUES (1,'a'),(2,'b');"
                            " SELECT * FROM py_multi ORDER BY id; UPDATE py_multi SET v = 'z';"
                            " SELECT COUNT(*) AS n, GROUP_CONCAT(v) AS vs FROM py_multi; SELECT 1 FROM DUAL WHERE 0")
                sets = fetch_all_sets(cur)
            conn.commit()
            return sets

        sets = self.both(run, client_flag=CLIENT.MULTI_STATEMENTS)
        self.assertEqual([s[1] for s in sets],
                         [0, 2, ((1, "a"), (2, "b")), 2, ((2, "z,z"),), ()])

    def test_multi_statements_error_midway(self):
        def run(conn):
            with conn.cursor() as cur:
                cur.execute("SELECT 1; SELECT * FROM no_such_table; SELECT 3")
                first = cur.fetchall()
                with self.assertRaises(pymysql.err.ProgrammingError) as caught:
                    cur.nextset()
                cur.execute("SELECT 'usable'")  # the session survives the error
                return first, caught.exception.args, cur.fetchall()

        first, error, after = self.both(run, client_flag=CLIENT.MULTI_STATEMENTS)
        self.assertEqual(first, ((1,),))
        self.assertEqual(error, (1146, "Table 'test.no_such_table' doesn't exist"))
        self.assertEqual(after, (("usable",),))

    def test_callproc_with_several_result_sets(self):
        self.exec_direct(
            "CREATE OR REPLACE PROCEDURE py_proc(IN n INT, INOUT acc INT, OUT label VARCHAR(20))\n"
            "BEGIN\n"
            "  SELECT seq, seq * seq AS sq FROM seq_1_to_1000 WHERE seq <= n;\n"
            "  SET acc = acc + n, label = CONCAT('n=', n);\n"
            "  SELECT acc, label;\n"
            "  SELECT 'third' AS t;\n"
            "END")

        def run(conn):
            with conn.cursor() as cur:
                cur.callproc("py_proc", (5, 10, None))
                sets = fetch_all_sets(cur)
                cur.execute("SELECT @_py_proc_1, @_py_proc_2")
                return sets, cur.fetchall()

        sets, out_params = self.both(run)
        self.assertEqual([s[1] for s in sets],
                         [tuple((i, i * i) for i in range(1, 6)), ((15, "n=5"),), (("third",),), 0])
        self.assertEqual(out_params, ((15, "n=5"),))

    def test_load_data_local_infile(self):
        path = self.stack.tmp / "py_rows.csv"
        with path.open("w") as f:
            for i in range(1, 20001):
                f.write(f'{i},"name {i}, with comma",{i % 13 if i % 5 else "NULL"}\n')

        def run(conn):
            with conn.cursor() as cur:
                cur.execute("CREATE OR REPLACE TABLE py_load (id INT PRIMARY KEY, name VARCHAR(40), m INT)")
                cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE py_load"
                            " FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"'"
                            " (id, name, @m) SET m = NULLIF(@m, 'NULL')")
                loaded = cur.rowcount
                conn.commit()
                cur.execute("SELECT COUNT(*), SUM(m), SUM(m IS NULL), MAX(name) FROM py_load")
                return loaded, cur.fetchone()

        loaded, summary = self.both(run, local_infile=True)
        self.assertEqual(loaded, 20000)
        self.assertEqual(summary, (20000, decimal.Decimal(sum(i % 13 for i in range(1, 20001) if i % 5)),
                                   decimal.Decimal(4000), "name 9999, with comma"))

    def test_transactions(self):
        self.exec_direct("CREATE OR REPLACE TABLE py_tx (id INT PRIMARY KEY) ENGINE=InnoDB")
        gw = self.connect(self.stack.proxied)
        observer = self.connect(self.stack.direct, autocommit=True)

        def ids(conn):
            with conn.cursor() as cur:
                cur.execute("SELECT id FROM py_tx ORDER BY id")
                return [r[0] for r in cur.fetchall()]

        with gw.cursor() as cur:
            gw.begin()
            cur.execute("INSERT INTO py_tx VALUES (1), (2)")
            self.assertEqual(ids(gw), [1, 2])
            self.assertEqual(ids(observer), [], "uncommitted rows visible to another session")
            gw.rollback()
            self.assertEqual(ids(gw), [])

            gw.begin()
            cur.execute("INSERT INTO py_tx VALUES (3)")
            cur.execute("SAVEPOINT sp")
            cur.execute("INSERT INTO py_tx VALUES (4)")
            cur.execute("ROLLBACK TO SAVEPOINT sp")
            gw.commit()
            self.assertEqual(ids(observer), [3])

            with self.assertRaises(pymysql.err.IntegrityError) as caught:
                cur.execute("INSERT INTO py_tx VALUES (3)")
            self.assertEqual(caught.exception.args[0], 1062)
            gw.rollback()

            cur.execute("SELECT @@in_transaction, @@autocommit")
            self.assertEqual(cur.fetchone(), (0, 0))

    def test_session_state_sticks(self):
        def run(conn):
            with conn.cursor() as cur:
                cur.execute("SELECT CONNECTION_ID()")
                first_id = cur.fetchone()[0]
                cur.execute("SET @x = 41, SESSION sql_mode = 'ANSI_QUOTES', time_zone = '+05:30'")
                conn.select_db("mysql")  # COM_INIT_DB
                conn.ping(reconnect=False)  # COM_PING
                cur.execute("SELECT @x + 1, @@sql_mode, @@time_zone, DATABASE(), CONNECTION_ID() = %s",
                            (first_id,))
                return cur.fetchall()

        self.assertEqual(self.both(run), ((42, "ANSI_QUOTES", "+05:30", "mysql", 1),))

    def test_many_concurrent_connections(self):
        def one(i):
            with contextlib.closing(harness.connect(self.stack.proxied, self.server)) as conn:
                with conn.cursor() as cur:
                    cur.execute("SELECT %s * 2, SLEEP(0.05)", (i,))
                    return cur.fetchone()[0]

        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(one, range(200)))
        self.assertEqual(results, [i * 2 for i in range(200)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
