package devdb

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"

	"github.com/truora/minidyn/server"
)

// A cancelled transaction makes minidyn put its tables back from a copy
// that lost their empty lists and maps (its deep copy skips them), each
// left a value of no type, which minidyn then refuses in conditions and
// nothing can answer faithfully. So before a transaction devdb keeps the
// items of its tables that hold an empty list or map, and after a
// cancelled one writes them back as they were. Keeping them scans those
// tables: cheap at the sizes of a dev server's or a test's data.

// keptItem is an item as it was before a transaction.
type keptItem struct {
	table string
	item  map[string]*server.AttributeValue
}

// keepEmpties returns the items holding an empty list or map in the tables
// a TransactWriteItems body writes.
func (db *DB) keepEmpties(body []byte) []keptItem {
	var in server.TransactWriteItemsInput
	if json.NewDecoder(bytes.NewReader(body)).Decode(&in) != nil {
		return nil // minidyn refuses it before it copies anything
	}

	var tables []string

	for _, it := range in.TransactItems {
		var name *string

		switch {
		case it.Put != nil:
			name = it.Put.TableName
		case it.Update != nil:
			name = it.Update.TableName
		case it.Delete != nil:
			name = it.Delete.TableName
		case it.ConditionCheck != nil:
			name = it.ConditionCheck.TableName
		}

		if name != nil && !slices.Contains(tables, *name) {
			tables = append(tables, *name)
		}
	}

	var kept []keptItem

	for _, table := range tables {
		in := &server.ScanInput{TableName: &table}

		for {
			out, err := db.mem.Scan(context.Background(), in)
			if err != nil {
				break // no such table: minidyn refuses the transaction before it copies anything
			}

			for _, item := range out.Items {
				if slices.ContainsFunc(slices.Collect(maps.Values(item)), holdsEmpty) {
					kept = append(kept, keptItem{table, item})
				}
			}

			if len(out.LastEvaluatedKey) == 0 {
				break
			}

			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}

	return kept
}

// putBack writes kept items back after a cancelled transaction.
func (db *DB) putBack(kept []keptItem) {
	for _, k := range kept {
		if _, err := db.mem.PutItem(context.Background(), &server.PutItemInput{TableName: &k.table, Item: k.item}); err != nil {
			slog.Error("devdb: an item's empty lists and maps were not restored after a cancelled transaction",
				"table", k.table, "err", err)
		}
	}
}

// holdsEmpty reports whether av is, or holds, an empty list or map.
func holdsEmpty(av *server.AttributeValue) bool {
	switch {
	case av == nil:
		return false
	case av.L != nil:
		return len(av.L) == 0 || slices.ContainsFunc(av.L, holdsEmpty)
	case av.M != nil:
		return len(av.M) == 0 || slices.ContainsFunc(slices.Collect(maps.Values(av.M)), holdsEmpty)
	}

	return false
}
