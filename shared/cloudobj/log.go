package cloudobj

import (
	"context"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
)

// log writes the request's one structured line. It carries what an operator
// needs to follow a request and never a password, token, code or captcha
// answer: methods add only masked identifiers through Call.Log.
func (d *Dispatcher) log(ctx context.Context, c *Call, out Output, err error, start time.Time) {
	if d.Logger == nil {
		return
	}
	code := "0"
	level := slog.LevelInfo
	attrs := []slog.Attr{
		slog.String("requestId", c.RequestID),
		slog.String("function", d.Function),
		slog.String("method", c.Method),
	}
	if err != nil {
		e := apierr.As(err)
		code = e.Code
		if out.Status >= 500 {
			level = slog.LevelError
		}
		if e.Cause != nil {
			attrs = append(attrs, slog.String("cause", e.Cause.Error()))
		}
	}
	attrs = append(attrs,
		slog.String("errCode", code),
		slog.Int("status", out.Status),
		slog.Float64("durationMs", float64(d.now().Sub(start).Microseconds())/1000),
		slog.String("ip", c.SourceIP),
		slog.String("platform", c.Client.Platform),
		slog.String("appId", c.Client.AppID),
	)
	if c.Auth != nil {
		attrs = append(attrs, slog.String("uid", c.Auth.UID))
	}
	if c.NewToken != nil {
		attrs = append(attrs, slog.Bool("newToken", true))
	}
	attrs = append(attrs, c.logAttrs...)
	attrs = append(attrs, d.metricAttrs(c, start)...)
	d.Logger.LogAttrs(ctx, level, "request", attrs...)
	if !d.Logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	ignored := c.ignored
	if len(c.rawClient) > 0 && c.rawClient[0] == '{' {
		for _, name := range unknownNames(c.rawClient, knownNames(reflect.TypeFor[rawClient]())) {
			ignored = append(ignored, "clientInfo."+name)
		}
	}
	if len(ignored) > 0 {
		d.Logger.LogAttrs(ctx, slog.LevelDebug, "ignored params", slog.String("requestId", c.RequestID),
			slog.String("method", c.Method), slog.Any("names", ignored))
	}
}

// metricAttrs writes the call's metrics in CloudWatch's embedded metric
// format: an _aws member naming them, and each as a top-level member.
// CloudWatch Logs turns such a line into metric data, with no dimensions,
// so an alarm sees the deployment as a whole.
func (d *Dispatcher) metricAttrs(c *Call, start time.Time) []slog.Attr {
	if len(c.metrics) == 0 {
		return nil
	}
	names := make([]string, 0, len(c.metrics))
	for n := range c.metrics {
		names = append(names, n)
	}
	slices.Sort(names)
	defs := make([]map[string]string, len(names))
	attrs := make([]slog.Attr, 0, len(names)+1)
	for i, n := range names {
		unit := "Count"
		if strings.HasSuffix(n, "Percent") {
			unit = "Percent"
		}
		defs[i] = map[string]string{"Name": n, "Unit": unit}
		attrs = append(attrs, slog.Int(n, c.metrics[n]))
	}
	ns := d.Namespace
	if ns == "" {
		ns = "idco"
	}
	aws := map[string]any{"Timestamp": start.UnixMilli(), "CloudWatchMetrics": []any{
		map[string]any{"Namespace": ns, "Dimensions": [][]string{{}}, "Metrics": defs}}}
	return append([]slog.Attr{slog.Any("_aws", aws)}, attrs...)
}
