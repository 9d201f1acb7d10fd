// Command ferretdb-local runs an embedded FerretDB v1 (MongoDB wire protocol) with the SQLite
// backend, for development and tests on machines without Docker. It is built and started by
// deploy/local/ferretdb.sh.
//
// Embedding the public github.com/FerretDB/FerretDB/ferretdb package avoids the version-file
// panic of a plain `go install` of FerretDB's own command. Telemetry is disabled by the package.
//
// Usage:
//
//	ferretdb-local [-listen-addr 127.0.0.1:27017] [-sqlite-url file:/abs/dir/] [-log-level info]
//	ferretdb-local -ping mongodb://127.0.0.1:27017/   # exit 0 if a MongoDB ping succeeds
//
// Each flag can also be given by environment: FERRETDB_LISTEN_ADDR, FERRETDB_SQLITE_URL,
// FERRETDB_LOG_LEVEL, FERRETDB_HANDLER, FERRETDB_POSTGRESQL_URL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(strings.ToUpper(strings.TrimSpace(s))))
	return l, err
}

// ping connects to uri and runs the `ping` command; it is the health check used by the scripts.
func ping(uri string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	opts := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout)

	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()

	var res bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Decode(&res); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

func main() {
	listenAddr := flag.String("listen-addr", envOr("FERRETDB_LISTEN_ADDR", "127.0.0.1:27017"), "TCP listen address")
	handler := flag.String("handler", envOr("FERRETDB_HANDLER", "sqlite"), "backend handler: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", envOr("FERRETDB_SQLITE_URL", "file:data/"), "SQLite URI of the data directory (must end with /)")
	postgresqlURL := flag.String("postgresql-url", envOr("FERRETDB_POSTGRESQL_URL", ""), "PostgreSQL URL for the postgresql handler")
	logLevel := flag.String("log-level", envOr("FERRETDB_LOG_LEVEL", "warn"), "FerretDB log level: debug, info, warn or error")
	pingURI := flag.String("ping", "", "if set, ping this MongoDB URI and exit (0 = healthy)")
	pingTimeout := flag.Duration("ping-timeout", 5*time.Second, "timeout for -ping")
	flag.Parse()

	if *pingURI != "" {
		if err := ping(*pingURI, *pingTimeout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("ok")
		return
	}

	level, err := parseLevel(*logLevel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "invalid -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	// FerretDB's own logger honours -log-level (at info it logs every connection, and at warn
	// every error reply); this program's few lifecycle messages are always logged.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	appLogger := slog.New(slog.NewTextHandler(os.Stderr, nil)).With(slog.String("name", "ferretdb-local"))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:        logger,
		Handler:       *handler,
		SQLiteURL:     *sqliteURL,
		PostgreSQLURL: *postgresqlURL,
	})
	if err != nil {
		appLogger.Error("failed to start FerretDB", slog.Any("error", err))
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	appLogger.Info("FerretDB started", slog.String("uri", f.MongoDBURI()), slog.String("handler", *handler),
		slog.String("sqlite_url", *sqliteURL), slog.String("log_level", level.String()))

	var runErr error
	select {
	case <-ctx.Done():
		appLogger.Info("shutting down")
		runErr = <-done
	case runErr = <-done:
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		appLogger.Error("FerretDB stopped with an error", slog.Any("error", runErr))
		os.Exit(1)
	}
	appLogger.Info("stopped")
}
