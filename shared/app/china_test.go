package app

import (
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// hostRecorder is an offline transport that records the hosts asked for.
type hostRecorder struct {
	mu    sync.Mutex
	hosts map[string]bool
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hosts[r.URL.Host] = true
	return nil, errors.New("offline")
}

// TestRegionalEndpoints: a function finds AWS from AWS_REGION alone, in
// the China partition too (amazonaws.com.cn): DynamoDB through the SDK's
// endpoint rules, the config parameter (SSM) through shared/internal/awsapi.
// No host is configured anywhere.
func TestRegionalEndpoints(t *testing.T) {
	for _, tc := range []struct{ region, suffix string }{
		{"cn-north-1", ".amazonaws.com.cn"}, {"cn-northwest-1", ".amazonaws.com.cn"}, {"us-east-1", ".amazonaws.com"},
	} {
		t.Run(tc.region, func(t *testing.T) {
			vars := map[string]string{}
			for k, v := range lambdaEnv {
				vars[k] = v
			}
			vars["AWS_REGION"], vars["AWS_DEFAULT_REGION"] = tc.region, tc.region
			cfg, err := LoadAWS(env(vars))()
			if err != nil {
				t.Fatal(err)
			}
			rec := &hostRecorder{hosts: map[string]bool{}}
			cfg.HTTPClient = &http.Client{Transport: rec}
			_, err = NewDynamo(cfg, "").GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("idco-users"),
				Key: map[string]types.AttributeValue{"uid": &types.AttributeValueMemberS{Value: "u1"}}})
			if err == nil {
				t.Fatal("GetItem through an offline transport succeeded")
			}
			if _, err := readParameter(t.Context(), func() (aws.Config, error) { return cfg, nil }, "/idco/config"); err == nil {
				t.Fatal("GetParameter through an offline transport succeeded")
			}
			for _, want := range []string{"dynamodb." + tc.region + tc.suffix, "ssm." + tc.region + tc.suffix} {
				if !rec.hosts[want] {
					t.Errorf("hosts asked for = %v, want %s", rec.hosts, want)
				}
			}
			if len(rec.hosts) != 2 {
				t.Errorf("hosts asked for = %v, want two", rec.hosts)
			}
		})
	}
}
