package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/awsapi"
)

// The config's sources besides a file: SSM Parameter Store and Secrets
// Manager, both awsJson1_1. One call per cold start goes through awsapi
// rather than the SDK's two service clients, which cost every function
// about 1.4 MB and 5 ms of package init.
var (
	ssmService     = awsapi.Service{Prefix: "ssm", SDKID: "SSM"}
	secretsService = awsapi.Service{Prefix: "secretsmanager", SDKID: "Secrets Manager"}
)

// awsJSON posts in to an awsJson1_1 operation (target) and decodes the
// answer into out. Throttling, 5xx and network failures are tried three
// times in all: a config read fails the cold start.
func awsJSON(ctx context.Context, cfg aws.Config, svc awsapi.Service, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	api := &awsapi.Client{Config: cfg, Service: svc, Attempts: 3, MaxBackoff: 300 * time.Millisecond,
		RetryCodes: []string{"TooManyUpdates"}}
	raw, err := api.Do(ctx, awsapi.Request{Path: "/", ContentType: "application/x-amz-json-1.1", Target: target, Body: body})
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	return nil
}
