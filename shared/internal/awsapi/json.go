package awsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// SSM Parameter Store and Secrets Manager, both awsJson1_1: the config and
// the open platform's keys are read through JSON rather than the SDK's two
// service clients, which cost every function about 1.4 MB and 5 ms of
// package init.
var (
	SSM            = Service{Prefix: "ssm", SDKID: "SSM"}
	SecretsManager = Service{Prefix: "secretsmanager", SDKID: "Secrets Manager"}
)

// JSON posts in to an awsJson1_1 operation (target) and decodes the answer
// into out. Throttling, 5xx and network failures are tried three times in
// all.
func JSON(ctx context.Context, cfg aws.Config, svc Service, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	api := &Client{Config: cfg, Service: svc, Attempts: 3, MaxBackoff: 300 * time.Millisecond,
		RetryCodes: []string{"TooManyUpdates"}}
	raw, err := api.Do(ctx, Request{Path: "/", ContentType: "application/x-amz-json-1.1", Target: target, Body: body})
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	return nil
}

// GetParameter returns an SSM parameter's value, decrypted.
func GetParameter(ctx context.Context, cfg aws.Config, name string) ([]byte, error) {
	var out struct {
		Parameter *struct{ Value *string }
	}
	in := map[string]any{"Name": name, "WithDecryption": true}
	if err := JSON(ctx, cfg, SSM, "AmazonSSM.GetParameter", in, &out); err != nil {
		return nil, err
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return nil, errors.New("parameter has no value")
	}
	return []byte(*out.Parameter.Value), nil
}

// PutParameter overwrites an SSM SecureString parameter (the operator's
// key rotation).
func PutParameter(ctx context.Context, cfg aws.Config, name string, value []byte) error {
	var out struct{ Version int64 }
	in := map[string]any{"Name": name, "Value": string(value), "Type": "SecureString", "Overwrite": true, "Tier": "Standard"}
	return JSON(ctx, cfg, SSM, "AmazonSSM.PutParameter", in, &out)
}
