package awsapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// APIError is an error answer from an AWS service.
type APIError struct {
	Status    int    // HTTP status
	Code      string // the error code, such as ThrottlingException, without its namespace
	Message   string // the service's message, as sent
	RequestID string // the service's request ID, when it sent one
}

// Error returns the code, the message and the status. A message may quote
// what the request held: callers mask it before it reaches a log.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	b.WriteString(" (HTTP " + strconv.Itoa(e.Status) + ")")
	return b.String()
}

// jsonError decodes the error answer of the awsJson and restJson1
// protocols: the code in the X-Amzn-ErrorType header or the body's __type
// (or code), the message in the body's message (or Message). An answer
// whose body is not JSON is not an AWS error, as the SDK's deserializers
// have it.
func jsonError(status int, h http.Header, body []byte) *APIError {
	var b struct {
		Type    string `json:"__type"`
		Code    string `json:"code"`
		Message string `json:"message"` // encoding/json takes "Message" too
	}
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &b) != nil {
		return nil
	}
	code := h.Get("X-Amzn-ErrorType")
	for _, c := range []string{b.Type, b.Code} {
		if code == "" {
			code = c
		}
	}
	return &APIError{Status: status, Code: sanitizeCode(code), Message: b.Message,
		RequestID: h.Get("X-Amzn-RequestId")}
}

// queryError decodes the awsquery protocol's error answer:
// <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>.
func queryError(status int, h http.Header, body []byte) *APIError {
	var b struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Error   struct {
			Code    string
			Message string
		}
		RequestID string `xml:"RequestId"`
	}
	if xml.Unmarshal(body, &b) != nil {
		return nil
	}
	return &APIError{Status: status, Code: sanitizeCode(b.Error.Code), Message: b.Error.Message,
		RequestID: cmp.Or(b.RequestID, h.Get("X-Amzn-RequestId"))}
}

// sanitizeCode drops what AWS may wrap a code in, as the SDK does:
// "ThrottlingException:http://internal.amazon.com/..." and
// "com.amazonaws.sms#ThrottlingException" both are ThrottlingException. An
// answer without a code is "UnknownError".
func sanitizeCode(code string) string {
	code, _, _ = strings.Cut(code, ":")
	code = code[strings.LastIndexByte(code, '#')+1:]
	return cmp.Or(code, unknownError)
}

// unknownError is the code of an error answer that names none, as the SDK
// has it.
const unknownError = "UnknownError"
