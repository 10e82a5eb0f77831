package password

import (
	"errors"
	"strings"
	"testing"
)

// Vectors computed outside Go, with python3's hmac module.
const (
	// python3 -c 'import hmac,hashlib;print(hmac.new(b"passwordSecret-demo",b"123456",hashlib.sha1).hexdigest())'
	sha1Demo = "03caebb36670995fc261a275d212cad65e4bbebd"
	// python3 -c 'import hmac,hashlib;print(hmac.new(b"passwordSecret-v2",b"123456",hashlib.sha1).hexdigest())'
	sha1V2 = "dbe21620beed9702815ef768addb35c440cd7a88"
	// python3 -c 'import hmac,hashlib;print(hmac.new("密钥".encode(),"密码pass🔑".encode(),hashlib.sha1).hexdigest())'
	sha1Unicode = "aba47344cbc64fcf4b818bc3dd64dedc86401732"
	// python3 -c 'import hmac,hashlib;s="0123456789abcdef0123";print("$UNI_ID_HMAC_SHA256$20$"+s+hmac.new(s.encode(),b"123456",hashlib.sha256).hexdigest())'
	sha256Demo = "$UNI_ID_HMAC_SHA256$20$0123456789abcdef0123da964fce0d7ec1c9296573651bf4d2a465af6691681291112fdde4224624e860"
	// python3 -c 'import hmac,hashlib;s="a1b2c3d4e5f60718293a";print("$UNI_ID_HMAC_SHA256$20$"+s+hmac.new(s.encode(),"密码pass🔑".encode(),hashlib.sha256).hexdigest())'
	sha256Unicode = "$UNI_ID_HMAC_SHA256$20$a1b2c3d4e5f60718293a4a1c7e98723a8353db9e7ed19635d3be3d5138f47d4735295014154fb134a0a0"
)

func TestVerifySHA1(t *testing.T) {
	demo := Secret{Type: "hmac-sha1", Value: "passwordSecret-demo", Version: 1}
	v2 := Secret{Type: "hmac-sha1", Value: "passwordSecret-v2", Version: 2}
	both := []Secret{v2, demo} // out of order on purpose
	for _, tc := range []struct {
		name    string
		secrets []Secret
		pw      string
		stored  string
		version int
		ok      bool
		err     error
	}{
		{"no version uses oldest", both, "123456", sha1Demo, 0, true, nil},
		{"no version never uses newer", both, "123456", sha1V2, 0, false, nil},
		{"version picks its secret", both, "123456", sha1V2, 2, true, nil},
		{"version 1 picks oldest", both, "123456", sha1Demo, 1, true, nil},
		{"wrong secret for version", both, "123456", sha1Demo, 2, false, nil},
		{"unknown version", both, "123456", sha1Demo, 3, false, ErrSecret},
		{"string-form secret", []Secret{{Type: "hmac-sha1", Value: "passwordSecret-demo"}}, "123456", sha1Demo, 0, true, nil},
		{"lone secret serves any version", []Secret{demo}, "123456", sha1Demo, 7, true, nil},
		{"empty type means sha1", []Secret{{Value: "passwordSecret-demo"}}, "123456", sha1Demo, 0, true, nil},
		{"wrong password", both, "1234567", sha1Demo, 0, false, nil},
		{"wrong secret", []Secret{{Value: "passwordSecret-dem0"}}, "123456", sha1Demo, 0, false, nil},
		{"uppercase hex", both, "123456", strings.ToUpper(sha1Demo), 0, true, nil},
		{"unicode", []Secret{{Value: "密钥"}}, "密码pass🔑", sha1Unicode, 0, true, nil},
		{"no secrets", nil, "123456", sha1Demo, 0, false, ErrSecret},
		{"secret is sha256", []Secret{{Type: "hmac-sha256", Version: 1}}, "123456", sha1Demo, 0, false, ErrSecret},
		{"unknown secret type", []Secret{{Type: "md5", Value: "passwordSecret-demo"}}, "123456", sha1Demo, 0, false, ErrSecret},
	} {
		h := &Hasher{Params: cheap, Secrets: tc.secrets}
		ok, rehash, err := h.Verify(tc.pw, tc.stored, tc.version)
		if ok != tc.ok || rehash != tc.ok || !errors.Is(err, tc.err) {
			t.Errorf("%s: Verify = %v, %v, %v; want %v, %v, %v", tc.name, ok, rehash, err, tc.ok, tc.ok, tc.err)
		}
	}
}

func TestVerifySHA256(t *testing.T) {
	for _, tc := range []struct {
		name    string
		secrets []Secret
		pw      string
		stored  string
		ok      bool
		err     error
	}{
		{"match", []Secret{{Type: "hmac-sha256", Version: 1}}, "123456", sha256Demo, true, nil},
		{"needs no secret", nil, "123456", sha256Demo, true, nil},
		{"ignores the user's secret", []Secret{{Value: "x", Version: 1}, {Value: "y", Version: 2}}, "123456", sha256Demo, true, nil},
		{"unicode", nil, "密码pass🔑", sha256Unicode, true, nil},
		{"wrong password", nil, "654321", sha256Demo, false, nil},
		{"salt changed", nil, "123456", strings.Replace(sha256Demo, "$0123456789", "$1123456789", 1), false, nil},
		{"empty parts dropped as uni-id does", nil, "123456", strings.Replace(sha256Demo, "$20$", "$$20$$", 1), true, nil},
		{"no salt length", nil, "123456", "$UNI_ID_HMAC_SHA256$" + sha256Demo[23:], false, ErrFormat},
		{"salt length not a number", nil, "123456", strings.Replace(sha256Demo, "$20$", "$2x$", 1), false, ErrFormat},
		{"salt length negative", nil, "123456", strings.Replace(sha256Demo, "$20$", "$-20$", 1), false, ErrFormat},
		{"salt length zero", nil, "123456", strings.Replace(sha256Demo, "$20$", "$0$", 1), false, ErrFormat},
		{"salt length too long", nil, "123456", strings.Replace(sha256Demo, "$20$", "$21$", 1), false, ErrFormat},
		{"salt length huge", nil, "123456", strings.Replace(sha256Demo, "$20$", "$99999999999999999999$", 1), false, ErrFormat},
		{"digest truncated", nil, "123456", sha256Demo[:len(sha256Demo)-2], false, ErrFormat},
		{"digest not hex", nil, "123456", sha256Demo[:len(sha256Demo)-1] + "z", false, ErrFormat},
		{"extra field", nil, "123456", sha256Demo + "$x", false, ErrFormat},
		{"prefix only", nil, "123456", "$UNI_ID_HMAC_SHA256$", false, ErrFormat},
	} {
		h := &Hasher{Params: cheap, Secrets: tc.secrets}
		ok, rehash, err := h.Verify(tc.pw, tc.stored, 1)
		if ok != tc.ok || rehash != tc.ok || !errors.Is(err, tc.err) {
			t.Errorf("%s: Verify = %v, %v, %v; want %v, %v, %v", tc.name, ok, rehash, err, tc.ok, tc.ok, tc.err)
		}
	}
}

func TestPickSecret(t *testing.T) {
	a := Secret{Value: "a", Version: 3}
	b := Secret{Value: "b", Version: 1}
	c := Secret{Value: "c", Version: 2}
	for _, tc := range []struct {
		name    string
		secrets []Secret
		version int
		want    string
		err     error
	}{
		{"oldest when unversioned", []Secret{a, b, c}, 0, "b", nil},
		{"exact version", []Secret{a, b, c}, 2, "c", nil},
		{"missing version", []Secret{a, b, c}, 4, "", ErrSecret},
		{"single secret", []Secret{a}, 9, "a", nil},
		{"none", nil, 0, "", ErrSecret},
	} {
		got, err := pickSecret(tc.secrets, tc.version)
		if got.Value != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: pickSecret = %q, %v; want %q, %v", tc.name, got.Value, err, tc.want, tc.err)
		}
	}
}
