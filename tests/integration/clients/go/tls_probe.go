// The Go driver (github.com/go-sql-driver/mysql, Debian's golang-github-go-sql-driver-mysql-dev)
// through gracewire, with or without TLS: two connections in a row, each running what
// test_tls_clients.py asserts on, then closing the way the driver closes (COM_QUIT). Built by the
// test in GOPATH mode against Debian's source tree:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o tls_probe tls_probe.go
//	tls_probe HOST PORT USER PASSWORD CA-PEM|-
//
// Prints one JSON line per connection (connection_id, server_ssl_version, client_tls, as the
// driver's crypto/tls reports it in its verification callback, long_value_length, answer); or
// {"error": …} and exits 1.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/go-sql-driver/mysql"
)

type result struct {
	ConnectionID     int64   `json:"connection_id"`
	ServerSslVersion string  `json:"server_ssl_version"`
	ClientTLS        *string `json:"client_tls"`
	LongValueLength  int     `json:"long_value_length"`
	Answer           int64   `json:"answer"`
}

// negotiated is what the last TLS handshake agreed, seen from the client's own side.
var negotiated *string

// registerTLS makes "gracewire" a DSN tls= name: verified against the CA and the address.
func registerTLS(host, caPath string) error {
	pem, err := os.ReadFile(caPath)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("no certificate in %s", caPath)
	}
	return mysql.RegisterTLSConfig("gracewire", &tls.Config{
		RootCAs:    pool,
		ServerName: host,
		VerifyConnection: func(state tls.ConnectionState) error {
			version := map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}[state.Version]
			negotiated = &version
			return nil
		},
	})
}

func probeOnce(dsn string) (result, error) {
	var r result
	negotiated = nil
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return r, err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx) // one session for all three statements
	if err != nil {
		return r, err
	}
	defer conn.Close()
	if err = conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&r.ConnectionID); err != nil {
		return r, err
	}
	var name string
	err = conn.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Ssl_version'").Scan(&name, &r.ServerSslVersion)
	if err != nil {
		return r, err
	}
	var text string
	err = conn.QueryRowContext(ctx, "SELECT REPEAT('x', 100000), 42").Scan(&text, &r.Answer)
	r.LongValueLength = len(text)
	r.ClientTLS = negotiated
	return r, err
}

func fail(err error) {
	out := map[string]any{"code": nil, "errno": nil, "message": err.Error()}
	var server *mysql.MySQLError
	if errors.As(err, &server) {
		out["errno"] = server.Number
	}
	line, _ := json.Marshal(map[string]any{"error": out})
	fmt.Println(string(line))
	os.Exit(1)
}

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: tls_probe HOST PORT USER PASSWORD CA-PEM|-")
		os.Exit(2)
	}
	host, port, user, password, ca := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	tlsName := "false"
	if ca != "-" {
		if err := registerTLS(host, ca); err != nil {
			fail(err)
		}
		tlsName = "gracewire"
	}
	config := mysql.NewConfig()
	config.User, config.Passwd, config.Net = user, password, "tcp"
	config.Addr = host + ":" + port
	config.Timeout = 10 * time.Second
	config.TLSConfig = tlsName
	dsn := config.FormatDSN()
	for i := 0; i < 2; i++ {
		r, err := probeOnce(dsn)
		if err != nil {
			fail(err)
		}
		line, _ := json.Marshal(r)
		fmt.Println(string(line))
	}
}
