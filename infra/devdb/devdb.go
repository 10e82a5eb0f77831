// Package devdb is the dev server's embedded DynamoDB: minidyn's in-memory
// tables behind DynamoDB's JSON protocol, made durable by a journal file, so
// local data survives a restart.
//
// devdb speaks the protocol itself rather than through minidyn's server,
// whose encoder drops an empty list, map or binary value (its fields are
// omitempty), leaving a typeless {} that the SDK reads as the value of
// another attribute of the item; devdb writes them as DynamoDB does
// (protocol.go). It runs TransactWriteItems itself, item by item through
// minidyn's single-item operations, putting back only the items a cancelled
// transaction touched, where minidyn copies whole tables for every
// transaction and loses empty lists and maps when it puts them back
// (transact.go).
//
// The journal is a file of JSON lines, one per mutating request that minidyn
// accepted, in the order they were applied:
//
//	{"op":"PutItem","body":{"TableName":"users","Item":{...}}}
//
// op is the operation name from the X-Amz-Target header and body is the request
// JSON exactly as the client sent it (compacted onto one line). Open replays the
// journal into a fresh minidyn server, then compacts it into the table
// definitions plus one PutItem per live item.
//
// Replay is deterministic: minidyn evaluates every expression from the request
// alone (no server-side clock or randomness), so the same requests applied in
// the same order to the same state give the same result, conditions included.
// Requests that minidyn rejected are not journaled; the ones that succeeded
// replay successfully, and a journaled request that fails on replay is reported
// as an error rather than silently skipped.
//
// Durability: a write's journal line is handed to the OS before its response
// is sent, so it survives the dev server being killed; there is no fsync per
// write, so an OS crash may lose the last writes (Close and compaction fsync).
// A crash mid-append leaves a truncated last line, which Open ignores with a
// warning. An advisory lock on path+".lock" keeps two processes from sharing a
// journal.
package devdb

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/truora/minidyn/server"
)

// maxRequestBytes bounds a request body. DynamoDB's own limit is 16 MB.
const maxRequestBytes = 32 << 20

// mutating lists the operations whose successful requests are journaled.
var mutating = map[string]bool{
	"CreateTable":        true,
	"UpdateTable":        true,
	"DeleteTable":        true,
	"PutItem":            true,
	"UpdateItem":         true,
	"DeleteItem":         true,
	"BatchWriteItem":     true,
	"TransactWriteItems": true,
}

// DB is an embedded DynamoDB endpoint backed by a journal file. It is safe for
// concurrent use.
type DB struct {
	mem  *server.Client
	path string
	lock *os.File // advisory lock held while open (nil where unsupported)

	// mu is held exclusively while a mutating request is applied and journaled,
	// so journal order equals apply order, and shared by every other request.
	// The shared side matters: minidyn's CreateTable and DeleteTable write its
	// table map without its own lock, which would race with concurrent reads.
	mu      sync.RWMutex
	journal *os.File
	err     error // sticky: set once the journal can no longer be trusted
	closed  bool
}

// Open starts an embedded DynamoDB whose data lives in the journal at path
// (created if absent, parent dirs created). It replays the journal into a fresh
// minidyn server, then compacts it.
func Open(path string) (*DB, error) {
	start := time.Now()

	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}

	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, fmt.Errorf("devdb: lock %s: %w", path, err)
	}

	db := &DB{mem: server.NewClient(), path: path, lock: lock}

	st, err := db.replay()
	if err == nil {
		err = db.compact(st)
	}

	if err == nil {
		db.journal, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			err = fmt.Errorf("devdb: %w", err)
		}
	}

	if err != nil {
		unlockFile(lock)
		return nil, err
	}

	slog.Info("devdb: opened",
		"path", path,
		"journal_lines", st.lines,
		"tables", len(st.tables),
		"items", st.items,
		"elapsed", time.Since(start).Round(time.Millisecond))

	return db, nil
}

// ServeHTTP is the DynamoDB endpoint: point an SDK client's BaseEndpoint at it.
//
// The request body is read in full and minidyn's answer is buffered, so no lock
// is held while talking to the network.
func (db *DB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	body, err := readBody(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", "reading request body: "+err.Error())
		return
	}

	op := opName(r.Header.Get("X-Amz-Target"))

	if !mutating[op] {
		db.mu.RLock()
		rec := db.call(op, body)
		db.mu.RUnlock()
		rec.writeTo(w)

		return
	}

	rec, err := db.apply(op, body)
	if err != nil {
		slog.Error("devdb: request not applied", "op", op, "err", err)
		writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error())

		return
	}

	rec.writeTo(w)
}

// readBody reads the whole request body, undoing a gzip Content-Encoding.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var body io.Reader = http.MaxBytesReader(w, r.Body, maxRequestBytes)

	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, err
		}
		defer zr.Close()

		body = io.LimitReader(zr, maxRequestBytes)
	}

	return io.ReadAll(body)
}

// apply runs one mutating request against minidyn and, if minidyn accepted it,
// appends it to the journal before returning.
func (db *DB) apply(op string, body []byte) (*recorder, error) {
	db.mu.Lock()
	defer db.mu.Unlock()

	switch {
	case db.closed:
		return nil, errors.New("devdb: database is closed")
	case db.err != nil:
		return nil, db.err
	}

	rec := db.call(op, body)
	if rec.code != http.StatusOK {
		if db.err != nil { // a cancelled transaction could not be undone
			return nil, db.err
		}

		return rec, nil
	}

	line, err := journalLine(op, body)
	if err == nil {
		_, err = db.journal.Write(line)
	}

	if err != nil {
		// minidyn already applied the request, so memory and journal now
		// disagree: refuse further writes rather than widen the gap.
		db.err = fmt.Errorf("devdb: journal %s: %w (in-memory %s was applied but is not durable; restart the dev server)", db.path, err, op)
		return nil, db.err
	}

	return rec, nil
}

// Close flushes and closes the journal. Reads are still served from memory
// afterwards; writes are refused.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()

	if db.closed {
		return nil
	}

	db.closed = true

	err := db.journal.Sync()
	if cerr := db.journal.Close(); err == nil {
		err = cerr
	}

	unlockFile(db.lock)

	if err != nil {
		return fmt.Errorf("devdb: close %s: %w", db.path, err)
	}

	return nil
}

// call runs one request on minidyn's tables and records the answer.
func (db *DB) call(op string, body []byte) *recorder {
	rec := newRecorder()

	var (
		out any
		err error
	)

	switch run := operations[op]; {
	case op == "TransactWriteItems": // devdb's own (transact.go), under db.mu held exclusively
		out, err = db.transactWriteItems(body)
	case run == nil:
		http.Error(rec, "unsupported operation", http.StatusBadRequest)
		return rec
	default:
		out, err = run(db.mem, body)
	}

	if err != nil {
		writeFailure(rec, err)
		return rec
	}

	writeAnswer(rec, out)

	return rec
}

// opName returns the operation of an X-Amz-Target header such as
// "DynamoDB_20120810.PutItem", the way minidyn reads it.
func opName(target string) string {
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		return target[i+1:]
	}

	return target
}

// journalLine encodes one journal entry, newline included. body is the first
// JSON value of the request, which is what minidyn decoded.
func journalLine(op string, body []byte) ([]byte, error) {
	var raw json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&raw); err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}

	var buf bytes.Buffer

	buf.Grow(len(raw) + len(op) + 24)
	buf.WriteString(`{"op":"`)
	buf.WriteString(op)
	buf.WriteString(`","body":`)

	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}

	buf.WriteString("}\n")

	return buf.Bytes(), nil
}

// entry is one decoded journal line.
type entry struct {
	Op   string          `json:"op"`
	Body json.RawMessage `json:"body"`
}

// parseLine decodes and validates a journal line.
func parseLine(line []byte) (entry, error) {
	var e entry
	if err := json.Unmarshal(line, &e); err != nil {
		return e, err
	}

	if !mutating[e.Op] {
		return e, fmt.Errorf("unknown op %q", e.Op)
	}

	if len(e.Body) == 0 || e.Body[0] != '{' {
		return e, errors.New(`"body" is not a JSON object`)
	}

	return e, nil
}

// replayState is what replay learns from the journal.
type replayState struct {
	lines  int                 // entries replayed
	tables map[string][][]byte // live table name -> its CreateTable and UpdateTable lines

	items int // set by compact
}

// replay feeds the journal to the fresh minidyn server in order.
func (db *DB) replay() (*replayState, error) {
	st := &replayState{tables: map[string][][]byte{}}

	f, err := os.Open(db.path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}

	if err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	defer f.Close()

	br := bufio.NewReaderSize(f, 1<<20)

	for n := 1; ; n++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return nil, fmt.Errorf("devdb: reading %s: %w", db.path, rerr)
		}

		last := errors.Is(rerr, io.EOF) // no newline: the file ends here

		if len(bytes.TrimSpace(line)) == 0 {
			if last {
				return st, nil
			}

			continue
		}

		e, perr := parseLine(line)

		switch {
		case perr != nil && last:
			// A crash in the middle of an append leaves an unterminated tail.
			slog.Warn("devdb: ignoring truncated last journal line",
				"path", db.path, "line", n, "bytes", len(line), "err", perr)

			return st, nil
		case perr != nil:
			return nil, fmt.Errorf("devdb: %s line %d: bad journal entry: %w", db.path, n, perr)
		}

		if rec := db.call(e.Op, e.Body); rec.code != http.StatusOK {
			return nil, fmt.Errorf("devdb: %s line %d: %s failed on replay with HTTP %d: %s (the journal no longer matches the emulator; move the file aside to start afresh)",
				db.path, n, e.Op, rec.code, bytes.TrimSpace(rec.body.Bytes()))
		}

		if err := st.track(e, line); err != nil {
			return nil, fmt.Errorf("devdb: %s line %d: %w", db.path, n, err)
		}

		st.lines++

		if last {
			return st, nil
		}
	}
}

// track records table creation, updates and deletion.
func (st *replayState) track(e entry, line []byte) error {
	switch e.Op {
	case "CreateTable", "UpdateTable", "DeleteTable":
	default:
		return nil
	}

	var in struct {
		TableName string `json:"TableName"`
	}
	if err := json.Unmarshal(e.Body, &in); err != nil {
		return err
	}

	switch e.Op {
	case "CreateTable":
		st.tables[in.TableName] = [][]byte{canonicalLine(line)}
	case "UpdateTable":
		st.tables[in.TableName] = append(st.tables[in.TableName], canonicalLine(line))
	case "DeleteTable":
		delete(st.tables, in.TableName)
	}

	return nil
}

// canonicalLine returns a copy of line, trimmed and newline-terminated.
func canonicalLine(line []byte) []byte {
	return append(bytes.Clone(bytes.TrimSpace(line)), '\n')
}

// compact rewrites the journal as each live table's definition (its
// CreateTable line followed by its UpdateTable lines) plus one PutItem per
// item, written to a temporary file that atomically replaces the journal.
//
// Table definitions are kept verbatim rather than rebuilt from DescribeTable,
// because minidyn's DescribeTable omits the attribute definitions and billing
// mode that CreateTable needs. Items are written as devdb's Scan answers
// them, empty lists, maps and binaries included.
func (db *DB) compact(st *replayState) (err error) {
	dir, base := filepath.Split(db.path)
	if dir == "" {
		dir = "."
	}

	tmp, err := os.CreateTemp(dir, base+".compact-*")
	if err != nil {
		return fmt.Errorf("devdb: compact: %w", err)
	}

	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("devdb: compact: %w", err)
	}

	bw := bufio.NewWriterSize(tmp, 1<<20)
	names := make([]string, 0, len(st.tables))

	for name := range st.tables {
		names = append(names, name)
	}

	slices.Sort(names)

	for _, name := range names {
		for _, line := range st.tables[name] {
			bw.Write(line)
		}
	}

	for _, name := range names {
		n, err := db.dumpItems(bw, name)
		if err != nil {
			return fmt.Errorf("devdb: compact: table %q: %w", name, err)
		}

		st.items += n
	}

	if err := bw.Flush(); err != nil {
		return fmt.Errorf("devdb: compact: %w", err)
	}

	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("devdb: compact: %w", err)
	}

	if err := tmp.Close(); err != nil {
		return fmt.Errorf("devdb: compact: %w", err)
	}

	if err := os.Rename(tmp.Name(), db.path); err != nil {
		return fmt.Errorf("devdb: compact: %w", err)
	}

	syncDir(dir)

	return nil
}

// dumpItems scans a table and writes one PutItem line per item.
func (db *DB) dumpItems(w *bufio.Writer, table string) (int, error) {
	tableJSON, err := json.Marshal(table)
	if err != nil {
		return 0, err
	}

	count := 0

	var startKey json.RawMessage

	for {
		req := map[string]json.RawMessage{"TableName": tableJSON}
		if startKey != nil {
			req["ExclusiveStartKey"] = startKey
		}

		body, err := json.Marshal(req)
		if err != nil {
			return count, err
		}

		rec := db.call("Scan", body)
		if rec.code != http.StatusOK {
			return count, fmt.Errorf("scan: HTTP %d: %s", rec.code, bytes.TrimSpace(rec.body.Bytes()))
		}

		var out struct {
			Items            []json.RawMessage          `json:"Items"`
			LastEvaluatedKey map[string]json.RawMessage `json:"LastEvaluatedKey"`
		}
		if err := json.Unmarshal(rec.body.Bytes(), &out); err != nil {
			return count, fmt.Errorf("scan: %w", err)
		}

		for _, item := range out.Items {
			w.WriteString(`{"op":"PutItem","body":{"TableName":`)
			w.Write(tableJSON)
			w.WriteString(`,"Item":`)
			w.Write(item)
			w.WriteString("}}\n")

			count++
		}

		if len(out.LastEvaluatedKey) == 0 {
			return count, nil
		}

		startKey, err = json.Marshal(out.LastEvaluatedKey)
		if err != nil {
			return count, err
		}
	}
}

// syncDir makes a rename durable; failure only weakens crash safety.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}

	_ = d.Sync()
	_ = d.Close()
}

// writeError answers in DynamoDB's JSON error shape.
func writeError(w http.ResponseWriter, code int, typ, msg string) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{typ, msg})

	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// recorder is an in-memory http.ResponseWriter.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
	wrote  bool
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, code: http.StatusOK} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.body.Write(p)
}

// writeTo copies the recorded response to w.
func (r *recorder) writeTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}

	h.Set("Content-Length", fmt.Sprint(r.body.Len()))
	w.WriteHeader(r.code)
	_, _ = w.Write(r.body.Bytes())
}
