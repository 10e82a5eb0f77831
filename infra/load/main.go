// Command load measures the dev server under load, as `make load` runs it:
// registration and login throughput at concurrency 1 and 8, and a burst of
// 200 parallel logins for unknown names, during which it watches the
// server's resident memory and how fast a method that hashes nothing
// answers. The server is the real one (`make run`'s, a separate process
// with the embedded DynamoDB) with production argon2id parameters and the
// abuse limits lifted, so that every request does its full work.
//
//	go run ./infra/load [-n 48]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	n := flag.Int("n", 48, "requests per registration and login run (times the concurrency for concurrency 8)")
	burst := flag.Int("burst", 200, "parallel logins in the burst")
	flag.Parse()
	if err := run(*n, *burst); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// config is the dev server's config for the run: production hashing, and
// limits that would otherwise refuse a load from one address lifted.
func config() map[string]any {
	high := 1_000_000
	return map[string]any{
		"tokenSecret":        strings.Repeat("load-test-secret-", 2),
		"passwordErrorLimit": high,
		"idco": map[string]any{
			"loginCaptchaAfter": high,
			"captcha":           map[string]any{"perIpPerMinute": high},
			"limits": map[string]any{"passwordSourceCaptchaAfter": high, "passwordSourcePerHour": high,
				"passwordNetworkPerHour": high},
		},
	}
}

func run(n, burst int) error {
	dir, err := os.MkdirTemp("", "idco-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "devserver")
	if out, err := exec.Command("go", "build", "-o", bin, "./infra/devserver").CombinedOutput(); err != nil {
		return fmt.Errorf("build the dev server: %v\n%s", err, out)
	}
	cfg, _ := json.Marshal(config())
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	srv := exec.Command(bin, "-addr", addr, "-data", data)
	srv.Env = append(os.Environ(), "IDCO_CONFIG_FILE="+cfgPath)
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	c := &client{base: "http://" + addr, http: &http.Client{Timeout: 60 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 512}}}
	if err := c.waitUp(); err != nil {
		return err
	}
	c.outbox = newOutbox(filepath.Join(data, "outbox.jsonl"))

	fmt.Printf("idco load: the dev server (embedded DynamoDB), argon2id m=19456 KiB t=2 p=1, %d cores (GOMAXPROCS %d)\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Printf("%-28s %5s %9s %9s %8s %8s\n", "scenario", "conc", "requests", "per sec", "p50 ms", "p99 ms")
	rates := map[string]float64{}
	users := 0
	for _, method := range []string{"registerUser", "login"} {
		for _, conc := range []int{1, 8} {
			total := n
			if conc > 1 {
				total = n * 2
			}
			var r result
			if method == "registerUser" {
				r, err = c.registrations(users, total, conc)
				users += total
			} else {
				r, err = c.logins(users, total, conc)
			}
			if err != nil {
				return err
			}
			rates[method+strconv.Itoa(conc)] = r.rate()
			fmt.Printf("%-28s %5d %9d %9.1f %8.1f %8.1f\n", method, conc, total, r.rate(), r.pct(50), r.pct(99))
		}
	}
	fmt.Printf("\nat concurrency 8 vs 1: registerUser %.2fx, login %.2fx\n", rates["registerUser8"]/rates["registerUser1"],
		rates["login8"]/rates["login1"])
	runPeak, _ := memory(srv.Process.Pid, "VmHWM")
	fmt.Printf("server resident memory at its peak so far (VmHWM): %.0f MB\n", mb(runPeak))
	rssBefore, _ := memory(srv.Process.Pid, "VmRSS")
	b, err := c.burst(srv.Process.Pid, burst)
	if err != nil {
		return err
	}
	fmt.Printf("\nburst: %d parallel logins for unknown names, answered in %.1f s: %s\n", burst, b.took.Seconds(), b.answers)
	verdict := "within"
	if mb(b.peak) > memoryBoundMB {
		verdict = "OVER"
	}
	fmt.Printf("  server resident memory: %.0f MB before, peak %.0f MB during (VmHWM): %s the %d MB bound\n", mb(rssBefore), mb(b.peak), verdict, memoryBoundMB)
	fmt.Printf("  getSupportedLoginType during the burst (%d calls): p50 %.1f ms, max %.1f ms\n", len(b.probe.lat), b.probe.pct(50), b.probe.pct(100))
	return nil
}

func mb(kb int) float64 { return float64(kb) / 1024 }

// memoryBoundMB is the dev server's resident-memory bound under the burst
// that the README states: the process's own ~130 MB (the embedded
// DynamoDB's data included) and one 19 MiB argon2id buffer per core, with
// room to spare. Without the hashing gate the same burst took 3.7-4.5 GiB.
const memoryBoundMB = 256

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// memory reads a field of /proc/<pid>/status, in KiB (Linux only).
func memory(pid int, field string) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, errors.New(field + " not found")
}

// result holds one run's latencies.
type result struct {
	lat  []time.Duration
	took time.Duration
}

func (r result) rate() float64 { return float64(len(r.lat)) / r.took.Seconds() }

func (r result) pct(p int) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	i := (len(s) - 1) * p / 100
	return float64(s[i].Microseconds()) / 1000
}

type client struct {
	base   string
	http   *http.Client
	outbox *outbox
}

func (c *client) waitUp() error {
	for range 300 {
		if res, err := c.http.Get(c.base + "/"); err == nil {
			res.Body.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("the dev server did not start")
}

// call posts one cloud-object call and returns errCode ("0" on success).
func (c *client) call(function, method, device string, params map[string]any) (string, error) {
	body, _ := json.Marshal(map[string]any{"params": params,
		"clientInfo": map[string]any{"appId": "__UNI__LOAD", "uniPlatform": "web", "deviceId": device}})
	res, err := c.http.Post(c.base+"/"+function+"/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct {
		ErrCode any `json:"errCode"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return "", err
	}
	return fmt.Sprint(out.ErrCode), nil
}

// parallel runs job(i) for i in [0, total) on conc workers and times it.
func parallel(total, conc int, job func(i int) error) (result, error) {
	var next atomic.Int64
	lat := make([]time.Duration, total)
	errs := make([]error, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				t := time.Now()
				if err := job(i); err != nil {
					errs[w] = err
					return
				}
				lat[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	return result{lat: lat, took: time.Since(start)}, errors.Join(errs...)
}

func username(i int) string { return fmt.Sprintf("load_user_%05d", i) }

// registrations registers total new users; their captchas are made and
// read from the outbox first, so only registerUser is timed.
func (c *client) registrations(first, total, conc int) (result, error) {
	answers := make([]string, total)
	for i := range total {
		dev := "dev-" + username(first+i)
		if code, err := c.call("captcha", "createCaptcha", dev, map[string]any{"scene": "register"}); err != nil || code != "0" {
			return result{}, fmt.Errorf("createCaptcha: %s %v", code, err)
		}
		a, err := c.outbox.wait(dev)
		if err != nil {
			return result{}, err
		}
		answers[i] = a
	}
	return parallel(total, conc, func(i int) error {
		u := username(first + i)
		code, err := c.call("register", "registerUser", "dev-"+u, map[string]any{"username": u, "password": "load test password", "captcha": answers[i]})
		if err == nil && code != "0" {
			err = fmt.Errorf("registerUser %s: %s", u, code)
		}
		return err
	})
}

// logins logs in total times, round robin over the users registered.
func (c *client) logins(users, total, conc int) (result, error) {
	return parallel(total, conc, func(i int) error {
		u := username(i % users)
		code, err := c.call("login", "login", "dev-"+u, map[string]any{"username": u, "password": "load test password"})
		if err == nil && code != "0" {
			err = fmt.Errorf("login %s: %s", u, code)
		}
		return err
	})
}

type burstResult struct {
	took    time.Duration
	answers string
	peak    int
	probe   result
}

// burst sends n logins for unknown names at once while probing a method
// that hashes nothing every 20 ms and sampling the server's memory.
func (c *client) burst(pid, n int) (burstResult, error) {
	ctx, stop := context.WithCancel(context.Background())
	var probe result
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			t := time.Now()
			if code, err := c.call("login-types", "getSupportedLoginType", "probe", nil); err == nil && code == "0" {
				probe.lat = append(probe.lat, time.Since(t))
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	codes := make([]string, n)
	start := time.Now()
	_, err := parallel(n, n, func(i int) error {
		code, err := c.call("login", "login", fmt.Sprint("burst-", i), map[string]any{"username": fmt.Sprintf("nobody_%05d", i), "password": "a wrong guess"})
		codes[i] = code
		return err
	})
	took := time.Since(start)
	stop()
	wg.Wait()
	if err != nil {
		return burstResult{}, err
	}
	count := map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", count[k], k))
	}
	peak, err := memory(pid, "VmHWM")
	return burstResult{took: took, answers: strings.Join(parts, ", "), peak: peak, probe: probe}, err
}

// outbox follows the dev server's outbox file for captcha answers.
type outbox struct {
	path string
	mu   sync.Mutex
	off  int64
	seen map[string]string // deviceId -> answer
}

func newOutbox(path string) *outbox { return &outbox{path: path, seen: map[string]string{}} }

func (o *outbox) wait(device string) (string, error) {
	for range 500 {
		if a, ok := o.read(device); ok {
			return a, nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return "", errors.New("no captcha for " + device + " in the outbox")
}

func (o *outbox) read(device string) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if a, ok := o.seen[device]; ok {
		return a, true
	}
	f, err := os.Open(o.path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if _, err := f.Seek(o.off, io.SeekStart); err != nil {
		return "", false
	}
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			break // a partial line is read again next time
		}
		o.off += int64(len(line))
		var m struct{ Kind, To, Code string }
		if json.Unmarshal(line, &m) == nil && m.Kind == "captcha" {
			o.seen[m.To] = m.Code
		}
	}
	a, ok := o.seen[device]
	return a, ok
}
