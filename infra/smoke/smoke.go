// Package smoke runs idco's built Lambda binaries as real Lambdas: each
// `bootstrap` under the AWS Lambda Runtime Interface Emulator (aws-lambda-rie)
// on loopback, over an embedded DynamoDB that refuses every call outside the
// function's grants (shared/families Access), as IAM would. The functions
// deliver codes to loopback fakes of Aliyun SMS and SES v2 (which check the
// signatures, and SES the grant, as the services do) and log in with
// shared/testenv/fakeprov's WeChat, QQ, Alipay, Apple and univerify; any
// other outbound call fails the run. `make smoke` builds the binaries and
// runs this package's TestLambda journey; `make coldstart` uses the same
// emulator runner to measure init durations.
//
// The emulator crashes on concurrent invokes, so an Emulator serialises its
// own, and the journey invokes one function at a time.
package smoke

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// Emulator is one function binary running under aws-lambda-rie.
type Emulator struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex // one invoke at a time
	stdout syncBuffer // the function's own output (its JSON logs)
	stderr syncBuffer // the emulator's log (INIT REPORT, ...)
	done   chan struct{}
	err    error // the process's exit, once done is closed
}

// LambdaEnv is the environment Lambda gives every function (dummy
// credentials, since the emulator injects none), for StartEmulator's env.
// HOME points at dir, so no developer AWS config leaks in.
func LambdaEnv(dir string) []string {
	return []string{
		"PATH=/usr/bin:/bin",
		"HOME=" + dir,
		"TZ=:UTC",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=ASIASMOKETESTKEY0000",
		"AWS_SECRET_ACCESS_KEY=smoke-test-secret-access-key-not-real",
		"AWS_SESSION_TOKEN=smoke-test-session-token",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
	}
}

// StartEmulator starts rie serving bootstrap with exactly env, both of its
// addresses on free loopback ports, and waits until it accepts invokes. The
// runtime itself starts on the first invoke, as a Lambda cold start.
func StartEmulator(rie, bootstrap string, env []string) (*Emulator, error) {
	api, err := freePort()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if rie, err = filepath.Abs(rie); err != nil {
		return nil, err
	}
	if bootstrap, err = filepath.Abs(bootstrap); err != nil {
		return nil, err
	}
	if _, err := os.Stat(bootstrap); err != nil {
		return nil, err
	}
	e := &Emulator{url: "http://" + port + "/2015-03-31/functions/function/invocations", done: make(chan struct{})}
	e.cmd = exec.Command(rie,
		"--runtime-interface-emulator-address", port,
		"--runtime-api-address", api,
		"--log-level", "info",
		bootstrap)
	e.cmd.Dir = filepath.Dir(bootstrap)
	e.cmd.Env = env
	e.cmd.Stdout = &e.stdout
	e.cmd.Stderr = &e.stderr
	ownGroup(e.cmd)
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", rie, err)
	}
	go func() {
		e.err = e.cmd.Wait()
		close(e.done)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", port, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return e, nil
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("aws-lambda-rie exited: %v\n%s", e.err, e.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.Stop()
			return nil, fmt.Errorf("aws-lambda-rie did not listen on %s: %s", port, e.stderr.String())
		}
	}
}

// Invoke sends one event and returns the handler's response payload. A
// function error (the emulator answers 200 with errorMessage/errorType) is
// returned as an error.
func (e *Emulator) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(event))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w\nemulator log:\n%s", err, e.stderr.String())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke: HTTP %d: %s", resp.StatusCode, body)
	}
	if fnErr := functionError(body); fnErr != "" {
		return nil, fmt.Errorf("function error: %s\nemulator log:\n%s", fnErr, e.stderr.String())
	}
	return body, nil
}

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// InitDuration returns the init duration of the emulator's INIT REPORT line
// (the runtime's start up to its first "next invocation" call), once the
// first invoke has happened. The emulator may write the line a moment after
// answering, so it waits up to two seconds for it.
func (e *Emulator) InitDuration() (time.Duration, bool) {
	var m []string
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m = initReport.FindStringSubmatch(e.stderr.String()); m != nil || time.Now().After(deadline) {
			break
		}
	}
	if m == nil {
		return 0, false
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}

// FunctionLog returns what the function wrote (its JSON log lines).
func (e *Emulator) FunctionLog() string { return e.stdout.String() }

// EmulatorLog returns the emulator's own log.
func (e *Emulator) EmulatorLog() string { return e.stderr.String() }

// Stop ends the emulator and its runtime.
func (e *Emulator) Stop() {
	select {
	case <-e.done:
		return
	default:
	}
	_ = e.cmd.Process.Signal(os.Interrupt)
	select {
	case <-e.done:
	case <-time.After(3 * time.Second):
		killGroup(e.cmd)
		<-e.done
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// functionError returns the message of an emulator error payload
// ({"errorMessage": ..., "errorType": ...}), or "".
func functionError(body []byte) string {
	var e struct {
		Message *string `json:"errorMessage"`
		Type    *string `json:"errorType"`
	}
	if json.Unmarshal(body, &e) != nil || e.Message == nil || e.Type == nil {
		return ""
	}
	return *e.Type + ": " + *e.Message
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
