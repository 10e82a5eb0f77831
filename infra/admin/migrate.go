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
	"os"
	"time"
)

// line is one JSON document of an export file and its line number.
type line struct {
	N   int             `json:"line"`
	Doc json.RawMessage `json:"doc"`
}

// readLines reads a JSON-lines file (uniCloud's console export), skipping
// blank lines; a line that is not JSON is reported by number.
func readLines(path string) ([]line, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []line
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if !json.Valid(b) {
			return nil, fmt.Errorf("%s:%d: not a JSON document", path, n)
		}
		out = append(out, line{N: n, Doc: append(json.RawMessage(nil), b...)})
	}
	return out, sc.Err()
}

// importUsers sends a uni-id-users export to importUsers in batches,
// showing progress and throughput, and lists every line not created.
func (c *cli) importUsers(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	file := fs.String("file", "", "the uni-id-users export, one JSON document per line")
	dry := fs.Bool("dry-run", false, "check every line and report, writing nothing")
	batch := fs.Int("batch", 100, "documents per call (1-100)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || *batch < 1 || *batch > 100 {
		return errors.New("import: -file is required and -batch is 1 to 100")
	}
	lines, err := readLines(*file)
	if err != nil {
		return err
	}
	start := time.Now()
	counts := map[string]int{}
	var problems []string
	for i := 0; i < len(lines); {
		// A call's body is at most 16 KiB (cloudobj.MaxBody): documents go
		// in batches of up to -batch and of at most 14 KiB.
		end, size := i, 0
		for end < len(lines) && end-i < *batch && (end == i || size+len(lines[end].Doc)+32 <= 14<<10) {
			size += len(lines[end].Doc) + 32
			end++
		}
		part := lines[i:end]
		i = end
		doc, err := c.invokeMethod(ctx, "importUsers", map[string]any{"users": part, "dryRun": *dry})
		if err != nil {
			return fmt.Errorf("lines %d-%d: %w (the lines before were imported; run again to go on)", part[0].N, part[len(part)-1].N, err)
		}
		var results []struct {
			Line                              int
			UID, Outcome, Key, ErrCode, Param string
		}
		if err := json.Unmarshal(doc["results"], &results); err != nil {
			return err
		}
		for _, r := range results {
			counts[r.Outcome]++
			switch r.Outcome {
			case "conflict":
				problems = append(problems, fmt.Sprintf("line %d: %s conflicts on %s", r.Line, r.UID, r.Key))
			case "invalid":
				problems = append(problems, fmt.Sprintf("line %d: invalid %s (%s)", r.Line, r.Param, r.ErrCode))
			}
		}
		done := end
		rate := float64(done) / time.Since(start).Seconds()
		fmt.Fprintf(stdout, "\r%s %d/%d users, %.0f/s", bar(done, len(lines)), done, len(lines), rate)
	}
	fmt.Fprintf(stdout, "\ncreated %d, already there %d, conflicts %d, invalid %d in %s%s\n", counts["created"], counts["exists"],
		counts["conflict"], counts["invalid"], time.Since(start).Round(time.Millisecond), map[bool]string{true: " (dry run: nothing written)"}[*dry])
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d lines not imported", len(problems))
	}
	return nil
}

// bar draws a 20-character progress bar.
func bar(done, total int) string {
	n := 20
	if total > 0 {
		n = 20 * done / total
	}
	return "[" + string(bytes.Repeat([]byte("#"), n)) + string(bytes.Repeat([]byte("."), 20-n)) + "]"
}

// exportUsers writes every account as uni-id-users JSON lines.
func (c *cli) exportUsers(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	file := fs.String("file", "", "where to write the JSON lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		return errors.New("export: -file is required")
	}
	f, err := os.OpenFile(*file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	n, cursor := 0, ""
	for {
		doc, err := c.invokeMethod(ctx, "exportUsers", map[string]any{"limit": 500, "cursor": cursor})
		if err != nil {
			_ = f.Close()
			return err
		}
		var users []json.RawMessage
		if err := json.Unmarshal(doc["users"], &users); err != nil {
			_ = f.Close()
			return err
		}
		for _, u := range users {
			w.Write(u)
			w.WriteByte(0x0a)
		}
		n += len(users)
		if err := json.Unmarshal(doc["cursor"], &cursor); err != nil || cursor == "" {
			break
		}
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %d users to %s\n", n, *file)
	return nil
}

// importRoles creates the permissions, then the roles, of uni-id's
// uni-id-permissions and uni-id-roles exports; those that exist are left.
func (c *cli) importRoles(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import-roles", flag.ContinueOnError)
	perms := fs.String("permissions", "", "the uni-id-permissions export")
	roles := fs.String("roles", "", "the uni-id-roles export")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, step := range []struct{ file, method, exists string }{
		{*perms, "createPermission", "uni-id-permission-exists"}, {*roles, "createRole", "uni-id-role-exists"}} {
		if step.file == "" {
			continue
		}
		lines, err := readLines(step.file)
		if err != nil {
			return err
		}
		made := 0
		for _, l := range lines {
			var doc map[string]any
			_ = json.Unmarshal(l.Doc, &doc)
			params := map[string]any{}
			for _, k := range []string{"role_id", "role_name", "permission_id", "permission_name", "comment", "permission"} {
				if v, ok := doc[k]; ok {
					params[k] = v
				}
			}
			if _, err := c.invokeMethod(ctx, step.method, params); err != nil {
				if bytes.Contains([]byte(err.Error()), []byte(step.exists)) {
					continue
				}
				return fmt.Errorf("%s:%d: %w", step.file, l.N, err)
			}
			made++
		}
		fmt.Fprintf(stdout, "%s: %d created, %d already there\n", step.file, made, len(lines)-made)
	}
	return nil
}
