// Package dynamo is idco's DynamoDB adapter: the table definitions (the one
// source the store code, the bootstrap and the template.yaml check read) and
// the stores the account domain uses, with uniqueness by sentinel items in
// transactions, conditional counters, TTL plus expiry checked on read, and
// bounded retries of conflicts and throttling.
package dynamo

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Table is one DynamoDB table: string keys, on-demand.
type Table struct {
	Name    string // logical name; the real name is the stack's prefix + Name
	HashKey string
	SortKey string // "" for none
	TTL     string // TTL attribute, or ""
}

// The tables.
var (
	// UsersTable holds one item per account, its sessions included, so one
	// consistent GetItem authenticates a call.
	UsersTable = Table{Name: "users", HashKey: "uid"}
	// KeysTable holds the unique-key sentinels ("username:alice" -> uid).
	KeysTable = Table{Name: "keys", HashKey: "key"}
	// EphemeralTable holds everything that expires: captchas, counters.
	EphemeralTable = Table{Name: "ephemeral", HashKey: "pk", TTL: "ttl"}
	// AuditTable holds each account's audit events, newest last, until
	// their retention ends.
	AuditTable = Table{Name: "audit", HashKey: "uid", SortKey: "at", TTL: "ttl"}
	// InvitesTable indexes who invited whom: "<inviter>#<level>" to
	// "<invite time>#<uid>", written with the invited account.
	InvitesTable = Table{Name: "invites", HashKey: "inv", SortKey: "at"}
)

// Tables lists every table.
func Tables() []Table {
	return []Table{UsersTable, KeysTable, EphemeralTable, AuditTable, InvitesTable}
}

// Names are the real table names.
type Names struct {
	Users, Keys, Ephemeral, Audit, Invites string
}

// NamesWithPrefix returns the real names for a prefix such as "idco-".
func NamesWithPrefix(prefix string) Names {
	return Names{Users: prefix + UsersTable.Name, Keys: prefix + KeysTable.Name, Ephemeral: prefix + EphemeralTable.Name,
		Audit: prefix + AuditTable.Name, Invites: prefix + InvitesTable.Name}
}

// CreateInput returns the CreateTable input for t named name.
func (t Table) CreateInput(name string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(t.HashKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(t.HashKey), KeyType: types.KeyTypeHash},
		},
	}
	if t.SortKey != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(t.SortKey), AttributeType: types.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(t.SortKey), KeyType: types.KeyTypeRange})
	}
	return in
}

// Bootstrap creates the tables that do not exist yet, for the dev server,
// tests and DynamoDB Local. It uses no waiters (minidyn reports no status);
// on real DynamoDB the tables come from template.yaml instead.
func Bootstrap(ctx context.Context, db *dynamodb.Client, prefix string) error {
	for _, t := range Tables() {
		name := prefix + t.Name
		_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err == nil {
			continue
		}
		if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
			return err
		}
		if _, err := db.CreateTable(ctx, t.CreateInput(name)); err != nil {
			return err
		}
		if t.TTL != "" {
			// minidyn has no TTL API; real DynamoDB Local does. Either way the
			// code checks expiry itself, so a failure here is not fatal.
			_, _ = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName: aws.String(name),
				TimeToLiveSpecification: &types.TimeToLiveSpecification{
					AttributeName: aws.String(t.TTL), Enabled: aws.Bool(true)},
			})
		}
	}
	return nil
}
