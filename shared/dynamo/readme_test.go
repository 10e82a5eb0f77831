package dynamo

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeListsEveryTable keeps the README's data model in step with
// Tables: each table has its row.
func TestReadmeListsEveryTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	i := strings.Index(doc, "## Data model (DynamoDB)")
	if i < 0 {
		t.Fatal("the README has no data model section")
	}
	for _, tb := range Tables() {
		key := "`" + tb.HashKey + "`"
		if tb.SortKey != "" {
			key += ", `" + tb.SortKey + "` (sort)"
		}
		if row := "| `" + tb.Name + "` | " + key + " |"; !strings.Contains(doc[i:], row) {
			t.Errorf("the README's data model lacks the row %s", row)
		}
	}
}
