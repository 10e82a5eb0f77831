package app

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/lambdafn"
)

// Main is a Lambda function's whole main: it builds the service once per
// cold start and serves the family's table. A config problem stops the init
// with every problem listed in the log.
func Main(function string, family families.Family) {
	ctx := context.Background()
	log := lambdacontext.NewLogger()
	load := LoadAWS(ctx)
	set, err := LoadConfig(ctx, os.Getenv, load)
	if err != nil {
		log.Error("config", "function", function, "error", err.Error())
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, w := range set.Warnings {
		log.Warn("config", "warning", w)
	}
	awsCfg, err := load()
	if err != nil {
		log.Error("aws config", "error", err.Error())
		os.Exit(1)
	}
	prefix := os.Getenv(EnvTablePrefix)
	if prefix == "" {
		prefix = DefaultTablePrefix
	}
	svc := NewService(Deps{Config: set, DB: NewDynamo(awsCfg, os.Getenv(EnvDynamoEndpoint)), Prefix: prefix})
	lambda.Start(lambdafn.Handler(Dispatcher(function, family(svc), svc, log)))
}
