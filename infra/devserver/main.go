// Command devserver is idco on a laptop: every function family on one port
// (127.0.0.1:8080 by default), an embedded DynamoDB kept in a local file, a
// generated dev config, and every captcha answer (later every code and
// message) printed to the console and appended to the dev outbox file.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/idco-dev/idco/infra/devdb"
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/families/all"
	"github.com/idco-dev/idco/shared/oidckeys"
	"github.com/idco-dev/idco/shared/wiring"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("devserver", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	dir := fs.String("data", ".idco", "folder for the dev config, database and outbox")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	cfgPath, created, err := devConfig(*dir, getenv)
	if err != nil {
		return err
	}
	set, err := app.LoadConfig(ctx, func(k string) string {
		if k == app.EnvConfigFile {
			return cfgPath
		}
		return ""
	}, nil)
	if err != nil {
		return err
	}
	endpoint, closeDB, err := database(ctx, *dir, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("dev", "dev", "")}
	db := app.NewDynamo(awsCfg, endpoint)
	prefix := app.DefaultTablePrefix
	if p := getenv(app.EnvTablePrefix); p != "" {
		prefix = p
	}
	if err := dynamo.Bootstrap(ctx, db, prefix); err != nil {
		return fmt.Errorf("create tables: %w", err)
	}
	outboxPath := filepath.Join(*dir, "outbox.jsonl")
	outbox, err := openOutbox(outboxPath, os.Stdout)
	if err != nil {
		return err
	}
	defer outbox.Close()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	svc := app.NewService(app.Deps{Config: set, DB: db, Prefix: prefix, Outbox: outbox, Dev: true})
	svc.SMS, svc.Email = outbox, outbox
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// The open platform's issuer is this server, its keys a file beside the
	// database, unless the environment says otherwise.
	devenv := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		switch k {
		case oidckeys.EnvIssuer:
			return "http://" + ln.Addr().String()
		case oidckeys.EnvKeysFile:
			return filepath.Join(*dir, "oidc-keys.json")
		}
		return ""
	}
	// Every family's wires but the senders: the outbox delivers instead.
	for _, w := range app.Wires(all.Families()) {
		if w.Delivery {
			continue
		}
		if err := w.Apply(ctx, svc, wiring.Runtime{Getenv: devenv}); err != nil {
			return err
		}
	}
	srv := newServer(app.Mount(svc, log, all.Families()))
	banner(ln.Addr().String(), cfgPath, created, outboxPath, endpoint, set.Warnings)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// Server limits: a client that sends its headers slowly, never finishes its
// body, or holds an idle connection open is cut off, and headers are
// capped (a request's body is capped by cloudobj.MaxBody).
var (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
)

const maxHeaderBytes = 16 << 10

// newServer returns an HTTP server with the limits above.
func newServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
}

// database returns the DynamoDB endpoint: DYNAMODB_ENDPOINT when set,
// otherwise the embedded one, persisted under dir.
func database(ctx context.Context, dir string, getenv func(string) string) (string, func(), error) {
	if ep := getenv(app.EnvDynamoEndpoint); ep != "" {
		return ep, func() {}, nil
	}
	db, err := devdb.Open(filepath.Join(dir, "dynamodb.jsonl"))
	if err != nil {
		return "", nil, fmt.Errorf("embedded DynamoDB: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := newServer(db)
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		_ = srv.Shutdown(ctx)
		_ = db.Close()
	}, nil
}

func banner(addr, cfgPath string, created bool, outbox, endpoint string, warnings []string) {
	fmt.Printf("idco dev server on http://%s\n", addr)
	if created {
		fmt.Printf("  config:   %s (created with random secrets)\n", cfgPath)
	} else {
		fmt.Printf("  config:   %s\n", cfgPath)
	}
	fmt.Printf("  outbox:   %s (captcha answers, SMS and email codes and messages, one JSON line each)\n", outbox)
	fmt.Printf("  dynamodb: %s\n", endpoint)
	fmt.Printf("  routes:   POST /<function>[/<method>] for %v; one URL: POST /uni-id-co/<method>, /uni-captcha-co/<method>\n", functionNames())
	fmt.Printf("  openid:   http://%s/.well-known/openid-configuration (register an app: admin call addOAuthClient)\n", addr)
	fmt.Printf("  admin:    go run ./infra/admin -endpoint http://%s -app <appId> register-admin -username <name> (the first administrator)\n", addr)
	for _, w := range warnings {
		fmt.Printf("  config warning: %s\n", w)
	}
}

// functionNames are the cloud-object families' (a web family serves its
// own routes).
func functionNames() []string {
	var out []string
	for name, f := range all.ByName() {
		if f.Web == nil {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
