package password

import "testing"

func BenchmarkHash(b *testing.B) {
	h := &Hasher{Params: DefaultParams()}
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := &Hasher{Params: DefaultParams()}
	stored, err := h.Hash("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, _ := h.Verify("correct horse battery staple", stored, 0); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkDummy should match BenchmarkVerify: that is Dummy's whole purpose.
func BenchmarkDummy(b *testing.B) {
	h := &Hasher{Params: DefaultParams()}
	for b.Loop() {
		h.Dummy("correct horse battery staple")
	}
}

func BenchmarkVerifyLegacySHA1(b *testing.B) {
	h := &Hasher{Params: DefaultParams(), Secrets: []Secret{{Value: "passwordSecret-demo"}}}
	for b.Loop() {
		if ok, _, _ := h.Verify("123456", sha1Demo, 0); !ok {
			b.Fatal("no match")
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	for b.Loop() {
		Check("Aa1!aaaaaaaaaaaa", "super")
	}
}

// FuzzVerify feeds arbitrary stored strings (and passwords) to Verify; it
// must never panic, and an error must never come with a match.
func FuzzVerify(f *testing.F) {
	for _, s := range []string{
		refPHC,
		"$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=64,t=1,p=255$c29tZXNhbHQ$",
		sha1Demo,
		sha256Demo,
		"$UNI_ID_HMAC_SHA256$99$abc",
		"$UNI_ID_HMAC_SHA256$$$",
		"",
		"$",
	} {
		f.Add("123456", s, 0)
	}
	h := &Hasher{Params: Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16},
		Secrets: []Secret{{Value: "passwordSecret-demo", Version: 1}, {Value: "v2", Version: 2}}}
	f.Fuzz(func(t *testing.T, pw, stored string, version int) {
		ok, rehash, err := h.Verify(pw, stored, version)
		if err != nil && (ok || rehash) {
			t.Errorf("Verify(%q, %q, %d) = %v, %v, %v; want no match with an error", pw, stored, version, ok, rehash, err)
		}
	})
}
