package problems

import (
	"reflect"
	"testing"
)

func TestList(t *testing.T) {
	l := List{At: "idco.email.aliyun."}
	l.Required("accessKeyId", "")
	l.Required("accessKeySecret", " \t")
	l.Required("signName", "Band")
	l.OneOf("regionId", "", "", "cn-hangzhou", "ap-southeast-1")
	l.OneOf("regionId", "cn-beijing", "", "cn-hangzhou", "ap-southeast-1")
	l.Endpoint("endpoint", "")
	l.Endpoint("endpoint", "http://127.0.0.1:9000")
	l.Endpoint("endpoint", "https://dm.aliyuncs.com/v1")
	l.Add("tagName", "too long")
	want := []string{
		"idco.email.aliyun.accessKeyId: required",
		"idco.email.aliyun.accessKeySecret: required",
		"idco.email.aliyun.regionId: must be one of cn-hangzhou, ap-southeast-1",
		"idco.email.aliyun.endpoint: must not have a path",
		"idco.email.aliyun.tagName: too long",
	}
	if !reflect.DeepEqual(l.Items, want) {
		t.Errorf("Items = %q, want %q", l.Items, want)
	}
}
