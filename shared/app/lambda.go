package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/lambdafn"
	"github.com/idco-dev/idco/shared/webfn"
	"github.com/idco-dev/idco/shared/wiring"
)

// Main is a Lambda function's whole main: it builds the service once per
// cold start, applies the family's wires and serves its methods. A config
// problem stops the init with every problem listed in the log.
func Main(family *families.Family) {
	function := family.Name
	ctx := context.Background()
	log := lambdaLogger(os.Getenv)
	load := LoadAWS(os.Getenv)
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
	for _, w := range family.Wires {
		if err := w.Apply(ctx, svc, wiring.Runtime{Getenv: os.Getenv, AWS: load}); err != nil {
			log.Error("wire", "function", function, "error", err.Error())
			os.Exit(1)
		}
	}
	if family.Web != nil {
		lambda.Start(webfn.Handler(family.Web(svc, func(t cloudobj.Table) *cloudobj.Dispatcher { return Dispatcher(function, t, svc, log) })))
	}
	lambda.Start(lambdafn.Handler(Dispatcher(function, family.Methods(svc), svc, log)))
}

// lambdaLogger writes JSON lines to stdout at the level the function's
// LoggingConfig sets (AWS_LAMBDA_LOG_LEVEL). The dispatcher's line already
// names the invocation as requestId, so the handler adds nothing of its own.
func lambdaLogger(getenv func(string) string) *slog.Logger {
	level := slog.LevelInfo
	switch getenv("AWS_LAMBDA_LOG_LEVEL") {
	case "TRACE", "DEBUG":
		level = slog.LevelDebug
	case "WARN":
		level = slog.LevelWarn
	case "ERROR", "FATAL":
		level = slog.LevelError
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
}
