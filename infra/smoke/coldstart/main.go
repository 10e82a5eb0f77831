// Command coldstart reports what a Lambda user pays for each idco function:
// the stripped binary size (linux/arm64 as deployed, and this machine's
// architecture) and the init duration of a cold start under aws-lambda-rie,
// next to a bare aws-lambda-go handler built the same way and measured in
// the same run. Runs are interleaved across the binaries and the medians
// reported. `make coldstart` builds the binaries and runs it.
//
// Each cold start is measured twice: with the config from a file, and from
// SSM Parameter Store as in AWS (a local stand-in SSM endpoint answering
// GetParameter). Along the way it checks that init makes no network call
// but that one GetParameter, once per cold start, and that the no-op first
// invoke touches neither DynamoDB nor the network.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/idco-dev/idco/infra/smoke"
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/all"
	"github.com/idco-dev/idco/shared/oidckeys"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

// binary is one measured function.
type binary struct {
	name              string
	host, arm64       string // paths
	hostSize, armSize int64
	initFile, initSSM []time.Duration
	firstInvoke       []time.Duration
}

// counters count the calls that must not happen (or happen once).
type counters struct {
	outbound, dynamo, ssm atomic.Int64
}

func run() error {
	runs := flag.Int("runs", 7, "cold starts per binary and config source")
	rie := flag.String("rie", "bin/aws-lambda-rie", "aws-lambda-rie")
	hostDir := flag.String("host", "bin/smoke", "this machine's builds: <dir>/<family>/bootstrap")
	armDir := flag.String("arm64", "bin/lambda", "linux/arm64 builds: <dir>/<family>/bootstrap")
	bareHost := flag.String("bare-host", "bin/bare/host/bootstrap", "the bare handler for this machine")
	bareArm := flag.String("bare-arm64", "bin/bare/arm64/bootstrap", "the bare handler for linux/arm64")
	flag.Parse()

	bins := []*binary{{name: "bare aws-lambda-go", host: *bareHost, arm64: *bareArm}}
	entries, err := os.ReadDir("functions")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			bins = append(bins, &binary{name: e.Name(),
				host: filepath.Join(*hostDir, e.Name(), "bootstrap"), arm64: filepath.Join(*armDir, e.Name(), "bootstrap")})
		}
	}
	for _, b := range bins {
		if b.hostSize, err = size(b.host); err != nil {
			return err
		}
		if b.armSize, err = size(b.arm64); err != nil {
			return err
		}
	}

	dir, err := os.MkdirTemp("", "idco-coldstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg, err := configDoc()
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return err
	}
	var c counters
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.outbound.Add(1)
		http.Error(w, "no network", http.StatusForbidden)
	}))
	defer proxy.Close()
	ddb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.dynamo.Add(1)
		http.Error(w, "no DynamoDB call expected", http.StatusForbidden)
	}))
	defer ddb.Close()
	ssm := httptest.NewServer(fakeSSM(&c, cfg))
	defer ssm.Close()

	base := append(smoke.LambdaEnv(dir),
		app.EnvTablePrefix+"=coldstart-",
		app.EnvDynamoEndpoint+"="+ddb.URL,
		// As the template sets them: the open platform's keys are read at
		// first use, never at init.
		oidckeys.EnvIssuer+"=https://id.example.com", oidckeys.EnvKeysParameter+"=/idco/oidc-keys",
		"HTTP_PROXY="+proxy.URL, "HTTPS_PROXY="+proxy.URL)
	fileEnv := append(slices.Clone(base), app.EnvConfigFile+"="+cfgPath)
	ssmEnv := append(slices.Clone(base), app.EnvConfigParameter+"=/idco/config", "AWS_ENDPOINT_URL_SSM="+ssm.URL)

	starts := 0
	for i := 0; i < *runs; i++ {
		for _, b := range bins {
			d, first, err := coldStart(*rie, b, fileEnv, 1)
			if err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
			b.initFile = append(b.initFile, d)
			b.firstInvoke = append(b.firstInvoke, first)
			// Two invokes: the config must be read once per cold start.
			if d, _, err = coldStart(*rie, b, ssmEnv, 2); err != nil {
				return fmt.Errorf("%s (SSM): %w", b.name, err)
			}
			b.initSSM = append(b.initSSM, d)
			if b.name != bins[0].name {
				starts++
			}
		}
		fmt.Fprintf(os.Stderr, "run %d/%d done\n", i+1, *runs)
	}
	report(os.Stdout, bins, *runs)
	fmt.Printf("\nNetwork during init and the first invokes: %d outbound calls, %d DynamoDB calls, "+
		"%d SSM GetParameter calls for %d SSM cold starts of idco functions (want 0, 0, %d).\n",
		c.outbound.Load(), c.dynamo.Load(), c.ssm.Load(), starts, starts)
	if c.outbound.Load() != 0 || c.dynamo.Load() != 0 || c.ssm.Load() != int64(starts) {
		return fmt.Errorf("unexpected calls during init")
	}
	return nil
}

// The events a cold start is invoked with, which need no store: a method
// no family has, or for a web family (the open platform) its /qr page.
const (
	noMethodEvent = `{"method":"coldstartNoSuchMethod"}`
	webEvent      = `{"version":"2.0","rawPath":"/qr","requestContext":{"http":{"method":"GET","path":"/qr","sourceIp":"127.0.0.1"}}}`
)

// coldStart starts b under the emulator, invokes it n times with an event
// that needs no store, and returns the init duration and the first
// invoke's round trip as the client saw it.
func coldStart(rie string, b *binary, env []string, n int) (time.Duration, time.Duration, error) {
	event, want := noMethodEvent, "coldstartNoSuchMethod"
	if f := all.ByName()[b.name]; f != nil && f.Web != nil {
		event, want = webEvent, `"statusCode":200`
	}
	e, err := smoke.StartEmulator(rie, b.host, env)
	if err != nil {
		return 0, 0, err
	}
	defer e.Stop()
	var first time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		out, err := e.Invoke(context.Background(), []byte(event))
		if err != nil {
			return 0, 0, fmt.Errorf("%w\n%s", err, e.FunctionLog())
		}
		if i == 0 {
			first = time.Since(start)
		}
		if !strings.Contains(string(out), want) {
			return 0, 0, fmt.Errorf("unexpected answer %s", out)
		}
	}
	d, ok := e.InitDuration()
	if !ok {
		return 0, 0, fmt.Errorf("no INIT REPORT:\n%s", e.EmulatorLog())
	}
	return d, first, nil
}

// fakeSSM answers SSM GetParameter with doc, counting calls.
func fakeSSM(c *counters, doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" {
			http.Error(w, "unexpected "+r.Header.Get("X-Amz-Target"), http.StatusBadRequest)
			return
		}
		c.ssm.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
			"Name": "/idco/config", "Type": "SecureString", "Value": string(doc), "Version": 1}})
	})
}

func configDoc() ([]byte, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"tokenSecret": hex.EncodeToString(b[:])})
}

func size(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("%w (run `make coldstart`, which builds it)", err)
	}
	return st.Size(), nil
}

func report(w io.Writer, bins []*binary, runs int) {
	bare := bins[0]
	fmt.Fprintf(w, "Cold start under aws-lambda-rie on linux/%s (%s, %d CPUs), median of %d runs; sizes are stripped static binaries.\n\n",
		runtime.GOARCH, runtime.Version(), runtime.NumCPU(), runs)
	fmt.Fprintf(w, "| function | arm64 MB | x bare | linux/%s MB | init ms, config file | x bare | init ms, config from SSM | x bare | first invoke ms |\n", runtime.GOARCH)
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, b := range bins {
		fmt.Fprintf(w, "| %s | %.1f | %.2f | %.1f | %.1f | %.2f | %.1f | %.2f | %.1f |\n", b.name,
			mb(b.armSize), float64(b.armSize)/float64(bare.armSize), mb(b.hostSize),
			ms(median(b.initFile)), ratio(b.initFile, bare.initFile),
			ms(median(b.initSSM)), ratio(b.initSSM, bare.initSSM),
			ms(median(b.firstInvoke)))
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ratio(a, b []time.Duration) float64 { return float64(median(a)) / float64(median(b)) }

func mb(n int64) float64 { return float64(n) / (1 << 20) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
