// Package flex decodes the JSON values real peers send either as a string
// or as a number (uni-app's appVersionCode, WeChat's countryCode, QQ's
// client_id and error, Aliyun's Code): one decoder for all of them.
package flex

import (
	"bytes"
	"encoding/json"
	"errors"
)

// String is a JSON string, or a number kept as its text ("86" for 86). null
// leaves it empty; anything else is an error.
type String string

// UnmarshalJSON implements json.Unmarshaler (and encoding/json/v2's).
func (f *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errors.New("want a string or a number")
	case string(b) == "null":
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = String(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("want a string or a number")
	}
	*f = String(n.String())
	return nil
}
