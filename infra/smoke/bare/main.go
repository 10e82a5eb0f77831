// Command bare is the smallest aws-lambda-go function: it returns its event.
// `make coldstart` builds it exactly as idco's functions and measures it
// beside them, as the floor any Go Lambda pays.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, event json.RawMessage) (json.RawMessage, error) { return event, nil })
}
