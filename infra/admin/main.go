// Command admin is idco's operator command line. It calls any method of
// any family as a direct invocation, the way `aws lambda invoke` does:
// against the dev server (-endpoint http://127.0.0.1:8080, which serves the
// Lambda Invoke API to loopback only) or against a deployed stack (the
// function <stack>-<family>, with the usual AWS credentials and region,
// and IAM's lambda:InvokeFunction deciding who may). A direct invocation is
// trusted: it creates the first administrator without the setup secret.
//
//	go run ./infra/admin -endpoint http://127.0.0.1:8080 -app __UNI__DEMO register-admin -username root
//	go run ./infra/admin -stack idco -app __UNI__xxxxxxx register-admin -username root   # AWS
//	go run ./infra/admin -app __UNI__DEMO call hasAdmin
//
// Passwords are read from the IDCO_ADMIN_PASSWORD environment variable or
// the first line of standard input, never from a flag (shell history).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/idco-dev/idco/shared/cloudobj"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "admin:", err)
		os.Exit(1)
	}
}

// cli is one run's settings.
type cli struct {
	endpoint, stack, appID string
	invoke                 func(ctx context.Context, function string, event []byte) ([]byte, error)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	c := &cli{}
	fs.StringVar(&c.endpoint, "endpoint", "", "the dev server's URL; empty: the deployed stack in AWS")
	fs.StringVar(&c.stack, "stack", "idco", "the stack name: functions are <stack>-<family>")
	fs.StringVar(&c.appID, "app", "", "the app's DCloud appId (clientInfo.appId): users are made in it (required)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: admin [flags] register-admin -username NAME [-nickname NICK]\n"+
			"       admin [flags] import -file uni-id-users.jsonl [-dry-run] [-batch 100]\n"+
			"       admin [flags] export -file users.jsonl\n"+
			"       admin [flags] import-roles [-permissions uni-id-permissions.jsonl] [-roles uni-id-roles.jsonl]\n"+
			"       admin [flags] call METHOD [PARAMS-JSON]\n"+
			"       admin rotate-keys -parameter /idco/oidc-keys | -file .idco/oidc-keys.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no command")
	}
	if fs.Arg(0) == "rotate-keys" { // no app, no function: the operator's own AWS access
		return rotateKeys(ctx, fs.Args()[1:], stdout, time.Now())
	}
	if c.appID == "" {
		return errors.New("-app: the app's DCloud appId is required (users are made in an app)")
	}
	if c.invoke == nil {
		inv, err := lambdaInvoker(ctx, c.endpoint)
		if err != nil {
			return err
		}
		c.invoke = inv
	}
	var method string
	params := map[string]any{}
	switch cmd, rest := fs.Arg(0), fs.Args()[1:]; cmd {
	case "register-admin":
		sub := flag.NewFlagSet("register-admin", flag.ContinueOnError)
		username := sub.String("username", "", "the administrator's username")
		nickname := sub.String("nickname", "", "the administrator's nickname")
		if err := sub.Parse(rest); err != nil {
			return err
		}
		pw, err := password(getenv, stdin)
		if err != nil {
			return err
		}
		method, params["username"], params["password"] = "registerAdmin", *username, pw
		if *nickname != "" {
			params["nickname"] = *nickname
		}
	case "import":
		return c.importUsers(ctx, rest, stdout)
	case "export":
		return c.exportUsers(ctx, rest, stdout)
	case "import-roles":
		return c.importRoles(ctx, rest, stdout)
	case "call":
		if len(rest) == 0 || len(rest) > 2 {
			return errors.New("call METHOD [PARAMS-JSON]")
		}
		method = rest[0]
		if len(rest) == 2 {
			if err := json.Unmarshal([]byte(rest[1]), &params); err != nil {
				return fmt.Errorf("params: %w", err)
			}
		}
	default:
		fs.Usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
	return c.call(ctx, method, params, stdout)
}

// call invokes method's family with params and prints the answer; an
// answer with a non-zero errCode is an error.
func (c *cli) call(ctx context.Context, method string, params map[string]any, stdout io.Writer) error {
	doc, err := c.invokeMethod(ctx, method, params)
	if doc != nil {
		// The operator needs no session of the account they act on.
		delete(doc, "newToken")
		printed, _ := json.Marshal(doc)
		fmt.Fprintln(stdout, string(printed))
	}
	return err
}

// invokeMethod invokes method's family with params and returns the answer,
// and an error naming its errCode unless it is 0.
func (c *cli) invokeMethod(ctx context.Context, method string, params any) (map[string]json.RawMessage, error) {
	family := cloudobj.FamilyOf(method)
	if family == "" {
		return nil, fmt.Errorf("no family serves %q", method)
	}
	function := family
	if c.endpoint == "" {
		function = c.stack + "-" + family
	}
	event, err := json.Marshal(map[string]any{"method": method, "params": params,
		"clientInfo": map[string]any{"appId": c.appID, "uniPlatform": "web", "deviceId": "idco-admin-cli", "locale": "en"}})
	if err != nil {
		return nil, err
	}
	out, err := c.invoke(ctx, function, event)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", function, err)
	}
	var res struct {
		ErrCode any    `json:"errCode"`
		ErrMsg  string `json:"errMsg"`
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(out, &res) != nil || json.Unmarshal(out, &doc) != nil {
		return nil, fmt.Errorf("%s answered %q", function, out)
	}
	if res.ErrCode != float64(0) && res.ErrCode != "0" {
		return doc, fmt.Errorf("%s: %v %s", method, res.ErrCode, res.ErrMsg)
	}
	return doc, nil
}

// password reads the password from IDCO_ADMIN_PASSWORD or the first line
// of stdin.
func password(getenv func(string) string, stdin io.Reader) (string, error) {
	if pw := getenv("IDCO_ADMIN_PASSWORD"); pw != "" {
		return pw, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if pw := strings.TrimRight(line, "\r\n"); pw != "" {
		return pw, nil
	}
	return "", errors.New("no password: set IDCO_ADMIN_PASSWORD or write it on standard input")
}

// lambdaInvoker invokes functions through the Lambda API: AWS's, resolved
// from the region (the China regions included), or endpoint's.
func lambdaInvoker(ctx context.Context, endpoint string) (func(context.Context, string, []byte) ([]byte, error), error) {
	var cfg aws.Config
	var err error
	if endpoint != "" {
		// The dev server checks no signature: it serves loopback only.
		cfg = aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("dev", "dev", "")}
	} else if cfg, err = awsconfig.LoadDefaultConfig(ctx); err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	client := lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return func(ctx context.Context, function string, event []byte) ([]byte, error) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function), Payload: event})
		if err != nil {
			return nil, err
		}
		if out.FunctionError != nil {
			return nil, fmt.Errorf("%s: %s", *out.FunctionError, out.Payload)
		}
		return out.Payload, nil
	}, nil
}
