package cloudobj

import (
	"context"
	"log/slog"
	"reflect"
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
