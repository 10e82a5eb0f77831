package dynamo_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/infra/devdb"
	"github.com/idco-dev/idco/shared/account/storetest"
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/testenv/ddbfault"
)

// TestConformance runs the store conformance suite on the embedded DynamoDB
// the dev server runs (devdb), and, when DYNAMODB_ENDPOINT is set, on that
// DynamoDB too: DynamoDB Local, or AWS itself
// (DYNAMODB_ENDPOINT=https://dynamodb.<region>.amazonaws.com with the usual
// AWS credentials). Each run creates its tables under a random prefix and
// deletes them at the end.
func TestConformance(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		db, err := devdb.Open(filepath.Join(t.TempDir(), "dynamodb.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		srv := httptest.NewServer(db)
		t.Cleanup(srv.Close)
		run(t, aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")}, srv.URL)
	})
	t.Run("endpoint", func(t *testing.T) {
		endpoint := os.Getenv(app.EnvDynamoEndpoint)
		if endpoint == "" {
			t.Skip(app.EnvDynamoEndpoint + " is not set")
		}
		run(t, endpointConfig(t), endpoint)
	})
}

// run bootstraps the tables at endpoint and runs the suite, each case with
// a client of its own (so its faults stay its own) over those tables.
func run(t *testing.T, cfg aws.Config, endpoint string) {
	db := app.NewDynamo(cfg, endpoint)
	prefix := "conformance-" + randomHex(4) + "-"
	if err := dynamo.Bootstrap(t.Context(), db, prefix); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	t.Cleanup(func() { deleteTables(t, db, prefix) })
	waitActive(t, db, prefix)
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		f := ddbfault.New(nil, false)
		cfg := cfg.Copy()
		cfg.HTTPClient = f.Client()
		st := &dynamo.Store{DB: app.NewDynamo(cfg, endpoint), Names: dynamo.NamesWithPrefix(prefix)}
		return storetest.Stores{Users: st, Captchas: st, Counters: st, Codes: st, Cache: st, Roles: st, Audit: st, Faults: f}
	})
}

// endpointConfig is the AWS configuration for DYNAMODB_ENDPOINT: the usual
// environment's when it names credentials, else dummy ones, which DynamoDB
// Local accepts.
func endpointConfig(t *testing.T) aws.Config {
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
		return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")}
	}
	cfg, err := config.LoadDefaultConfig(t.Context())
	if err != nil {
		t.Fatalf("AWS config: %v", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg
}

// waitActive waits until the run's tables are active, as new tables on AWS
// are after a few seconds; an emulator that reports no status (minidyn,
// devdb) has them ready at once.
func waitActive(t *testing.T, db *dynamodb.Client, prefix string) {
	for _, table := range dynamo.Tables() {
		for {
			out, err := db.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(prefix + table.Name)})
			if err != nil {
				t.Fatalf("table %s: %v", prefix+table.Name, err)
			}
			if status := out.Table.TableStatus; status == "" || status == types.TableStatusActive {
				break
			}
			select {
			case <-t.Context().Done():
				t.Fatalf("table %s: %v", prefix+table.Name, t.Context().Err())
			case <-time.After(time.Second):
			}
		}
	}
}

// deleteTables deletes the run's tables, even after the test's context
// ended.
func deleteTables(t *testing.T, db *dynamodb.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, table := range dynamo.Tables() {
		if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(prefix + table.Name)}); err != nil {
			t.Errorf("delete table %s: %v", prefix+table.Name, err)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
