// MariaDB Connector/J (Debian's libmariadb-java, 2.7) through gracewire, with or without TLS: two
// connections in a row, each running what test_tls_clients.py asserts on, then closing the way
// the driver closes (COM_QUIT). Run from source: java -cp mariadb-java-client.jar TlsProbe.java
//
//   TlsProbe HOST PORT USER PASSWORD CA-PEM|-
//
// Prints one JSON line per connection (connection_id, server_ssl_version, client_tls: null, as
// the driver does not show its socket, long_value_length, answer); or {"error": …} and exits 1.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

public final class TlsProbe {
  public static void main(String[] args) {
    try {
      for (int i = 0; i < 2; ++i) System.out.println(probeOnce(args));
    } catch (SQLException e) {
      System.out.println("{\"error\": {\"code\": " + quoted(e.getSQLState()) + ", \"errno\": "
          + e.getErrorCode() + ", \"message\": " + quoted(e.getMessage()) + "}}");
      System.exit(1);
    }
  }

  // TLS verified against the CA (chain and the address's name: Connector/J 2.7's equivalent of
  // 3.x's sslMode=VERIFY_IDENTITY), or no TLS at all.
  private static Properties options(String[] args) {
    Properties p = new Properties();
    p.setProperty("user", args[2]);
    p.setProperty("password", args[3]);
    p.setProperty("connectTimeout", "10000");
    if (args[4].equals("-")) {
      p.setProperty("useSsl", "false");
    } else {
      p.setProperty("useSsl", "true");
      p.setProperty("serverSslCert", args[4]);
      p.setProperty("disableSslHostnameVerification", "false");
    }
    return p;
  }

  private static String probeOnce(String[] args) throws SQLException {
    String url = "jdbc:mariadb://" + args[0] + ":" + args[1] + "/";
    try (Connection conn = DriverManager.getConnection(url, options(args));
         Statement statement = conn.createStatement()) {
      long id = single(statement, "SELECT CONNECTION_ID()").getLong(1);
      String ssl = single(statement, "SHOW SESSION STATUS LIKE 'Ssl_version'").getString(2);
      ResultSet row = single(statement, "SELECT REPEAT('x', 100000), 42");
      return "{\"connection_id\": " + id + ", \"server_ssl_version\": " + quoted(ssl)
          + ", \"client_tls\": null, \"long_value_length\": " + row.getString(1).length()
          + ", \"answer\": " + row.getLong(2) + "}";
    }
  }

  private static ResultSet single(Statement statement, String sql) throws SQLException {
    ResultSet rows = statement.executeQuery(sql);
    if (!rows.next()) throw new SQLException("no row from " + sql);
    return rows;
  }

  private static String quoted(String text) {
    if (text == null) return "null";
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
