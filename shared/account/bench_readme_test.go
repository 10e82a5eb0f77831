package account_test

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update-readme", false,
	"run BenchmarkMethods and rewrite the README's method tables from what it measures (make bench-tables)")

const readmePath = "../../README.md"

// The README sections the method tables live in, between these markers.
const (
	benchMarker = "method-benchmarks"
	callsMarker = "method-calls"
)

// codeCheck is the calls of a right code's check (verifyCode), which the
// rows of the methods that take a code name as "the code check".
const codeCheck = "UpdateItem (reserve this source's check of the destination), " +
	"BatchGetItem (every source's failures on it: a captcha past the threshold), " +
	"UpdateItem (count a try of the code), DeleteItem (consume the code), " +
	"DeleteItem (clear this source's count: it proved the destination), " +
	"PutItem (mark this source as one that proved the destination)"

// TestReadmeBenchTables keeps the README's method tables true: every
// methodBench makes the same DynamoDB calls op after op, the calls its
// what names, as many as both tables say, and the tables have its rows in
// its order. With -update-readme it runs the benchmarks (production
// hashing) and rewrites both tables; times and allocations are the
// machine's, calls are the code's.
func TestReadmeBenchTables(t *testing.T) {
	if *updateReadme {
		// The embedded DynamoDB logs every start through the log package,
		// which would bury the tables printed.
		w := log.Writer()
		log.SetOutput(io.Discard)
		defer log.SetOutput(w)
	}
	benches := methodBenches()
	calls := make([]int, len(benches))
	t.Run("calls", func(t *testing.T) {
		for i, m := range benches {
			t.Run(m.name, func(t *testing.T) {
				t.Parallel()
				calls[i] = traceCalls(t, m)
			})
		}
	})
	if t.Failed() {
		return
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	if *updateReadme {
		bench := runMethodBenchmarks(t, benches, calls)
		doc = replaceSection(t, replaceSection(t, doc, benchMarker, bench), callsMarker, callsTable(benches, calls))
		if err := os.WriteFile(readmePath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%s\n\n%s\n", bench, callsTable(benches, calls))
	}
	if got, want := section(t, doc, callsMarker), callsTable(benches, calls); got != want {
		t.Errorf("the README's calls table is not what the methods do (make bench-tables rewrites it); first difference:\n%s", firstDiff(got, want))
	}
	rows := tableRows(section(t, doc, benchMarker))
	if len(rows) != len(benches) {
		t.Fatalf("the README's benchmark table has %d rows, want one per methodBench (%d): make bench-tables", len(rows), len(benches))
	}
	for i, r := range rows {
		if r[0] != benches[i].row || r[2] != strconv.Itoa(calls[i]) {
			t.Errorf("benchmark table row %d: %s with %s calls, want %s with %d (make bench-tables)", i+1, r[0], r[2], benches[i].row, calls[i])
		}
	}
}

// traceCalls runs m's op twice with fast hashing and returns how many
// DynamoDB calls one makes, after checking that both make the same ones,
// those m.what names.
func traceCalls(t *testing.T, m methodBench) int {
	t.Helper()
	want, err := whatOps(m.what)
	if err != nil {
		t.Fatal(err)
	}
	x := newBench(t, false)
	op := m.setup(x)
	first := traceOp(x, op, 0)
	if second := traceOp(x, op, 1); !slices.Equal(second, first) {
		t.Errorf("op 1 made %v, op 0 %v: calls/op would depend on b.N", second, first)
	}
	if !slices.Equal(first, want) {
		t.Errorf("calls made:\n\t%v\nthe README's what says:\n\t%v", first, want)
	}
	return len(first)
}

// traceOp runs op once and returns the DynamoDB operations it made, its
// pause's left out.
func traceOp(x *bench, op benchOp, i int) []string {
	var ops []string
	stop := x.Faults.Record()
	op(i, func(setup func()) {
		ops = append(ops, stop()...)
		setup()
		stop = x.Faults.Record()
	})
	return append(ops, stop()...)
}

// dynamoOps are the operation names a what may give.
var dynamoOps = []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchGetItem", "BatchWriteItem",
	"TransactGetItems", "TransactWriteItems", "Query", "Scan"}

// whatOps returns the operations a what names: a comma-separated list of
// an operation followed by what it does in parentheses, or "the code
// check".
func whatOps(what string) ([]string, error) {
	var plain strings.Builder
	depth := 0
	for _, r := range strings.ReplaceAll(what, "the code check", codeCheck) {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0:
			plain.WriteRune(r)
		}
	}
	var ops []string
	for item := range strings.SplitSeq(plain.String(), ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		if !slices.Contains(dynamoOps, item) {
			return nil, fmt.Errorf("what %q: %q is no DynamoDB operation", what, item)
		}
		ops = append(ops, item)
	}
	return ops, nil
}

// callsTable is the data model's table: each row's calls and what they do.
func callsTable(benches []methodBench, calls []int) string {
	check, _ := whatOps(codeCheck)
	var b strings.Builder
	b.WriteString("| method | calls | what |\n|---|---|---|\n")
	for i, m := range benches {
		fmt.Fprintf(&b, "| %s | %d | %s |\n", m.row, calls[i], m.what)
	}
	fmt.Fprintf(&b, "\nThe code check is %d calls: %s.", len(check), codeCheck)
	return b.String()
}

// runMethodBenchmarks runs BenchmarkMethods' sub-benchmarks and returns
// the benchmark table; each must measure the calls traced.
func runMethodBenchmarks(t *testing.T, benches []methodBench, calls []int) string {
	var b strings.Builder
	b.WriteString("| method | time/op | DynamoDB calls/op | allocs/op |\n|---|---|---|---|\n")
	for i, m := range benches {
		r := testing.Benchmark(func(b *testing.B) { runBench(b, m) })
		if r.N == 0 {
			t.Fatalf("%s failed: go test -run '^$' -bench 'Methods/%s$' ./shared/account/ says why", m.name, m.name)
		}
		if got := r.Extra["ddb-calls/op"]; got != float64(calls[i]) {
			t.Fatalf("%s: the benchmark measured %g calls/op, one op %d", m.name, got, calls[i])
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", m.row, millis(r.NsPerOp()), calls[i], thousands(r.AllocsPerOp()))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// millis formats a time per op in milliseconds, to two figures.
func millis(ns int64) string {
	ms := float64(ns) / 1e6
	switch {
	case ms >= 10:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 1:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.2f ms", ms)
}

// thousands formats n with commas.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// section returns the README's text between <!-- name --> and
// <!-- /name --> lines.
func section(t *testing.T, doc, name string) string {
	t.Helper()
	open, end := "<!-- "+name+" -->\n", "\n<!-- /"+name+" -->"
	i, j := strings.Index(doc, open), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("the README has no <!-- %s --> section", name)
	}
	return doc[i+len(open) : j]
}

func replaceSection(t *testing.T, doc, name, text string) string {
	t.Helper()
	old := section(t, doc, name)
	i := strings.Index(doc, "<!-- "+name+" -->\n") + len("<!-- "+name+" -->\n")
	return doc[:i] + text + doc[i+len(old):]
}

// tableRows returns the cells of a markdown table's rows, header and rule
// left out.
func tableRows(table string) [][]string {
	var rows [][]string
	for i, line := range strings.Split(table, "\n") {
		if i < 2 || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		if len(cells) == 4 {
			rows = append(rows, cells)
		}
	}
	return rows
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d\n  README: %s\n  want:   %s", i+1, gl, wl)
		}
	}
	return ""
}
