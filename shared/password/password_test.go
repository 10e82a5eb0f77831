package password

import (
	"bytes"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// cheap keeps argon2 tests fast under -race where the exact cost is not the
// point of the test.
var cheap = Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

var phcDefault = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

// refPHC is the argon2id vector from the reference implementation
// (phc-winner-argon2 src/test.c): password "password", salt "somesalt",
// m=65536, t=2, p=1, 32-byte key.
const refPHC = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"

func TestDefaultParams(t *testing.T) {
	got, want := DefaultParams(), Params{MemoryKiB: 19456, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}
	if got != want {
		t.Fatalf("DefaultParams() = %+v, want %+v", got, want)
	}
}

func TestHashFormatAndRoundTrip(t *testing.T) {
	h := &Hasher{Params: DefaultParams()}
	first, err := h.Hash("correct horse")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if !phcDefault.MatchString(first) {
		t.Errorf("Hash = %q, want match for %s", first, phcDefault)
	}
	second, err := h.Hash("correct horse")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if first == second {
		t.Errorf("Hash twice = %q both times, want different salts", first)
	}
	for _, tc := range []struct {
		pw         string
		ok, rehash bool
	}{
		{"correct horse", true, false},
		{"correct horsE", false, false},
		{"", false, false},
	} {
		ok, rehash, err := h.Verify(tc.pw, first, 0)
		if ok != tc.ok || rehash != tc.rehash || err != nil {
			t.Errorf("Verify(%q) = %v, %v, %v; want %v, %v, nil", tc.pw, ok, rehash, err, tc.ok, tc.rehash)
		}
	}
}

func TestZeroHasherUsesDefaults(t *testing.T) {
	var h Hasher
	got, err := h.Hash("12345678")
	if err != nil || !phcDefault.MatchString(got) {
		t.Fatalf("zero Hasher Hash = %q, %v; want default-params PHC, nil", got, err)
	}
	if ok, rehash, err := (&Hasher{Params: DefaultParams()}).Verify("12345678", got, 0); !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashUsesInjectedRand(t *testing.T) {
	h := &Hasher{Params: cheap, Rand: bytes.NewReader(make([]byte, 16))}
	got, err := h.Hash("12345678")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if want := "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$"; !strings.HasPrefix(got, want) {
		t.Errorf("Hash = %q, want prefix %q", got, want)
	}
	h = &Hasher{Params: cheap, Rand: iotest.ErrReader(errors.New("no entropy"))}
	if got, err := h.Hash("12345678"); got != "" || err == nil {
		t.Errorf("Hash with failing Rand = %q, %v; want \"\", error", got, err)
	}
}

func TestHashRejectsInput(t *testing.T) {
	h := &Hasher{Params: cheap}
	for _, tc := range []struct {
		name, pw string
		want     error
	}{
		{"128 four-byte runes", strings.Repeat("🔑", 128), nil},
		{"129 runes", strings.Repeat("a", 129), ErrTooLong},
		{"129 four-byte runes", strings.Repeat("🔑", 129), ErrTooLong},
		{"1 MB", strings.Repeat("a", 1<<20), ErrTooLong},
		{"invalid UTF-8", "abc\xffdef", ErrInvalid},
	} {
		_, err := h.Hash(tc.pw)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Hash err = %v, want %v", tc.name, err, tc.want)
		}
		_, _, err = h.Verify(tc.pw, refPHC, 0)
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestHashRejectsBadParams(t *testing.T) {
	for _, p := range []Params{
		{MemoryKiB: 64, Time: 1, Threads: 0, KeyLen: 32, SaltLen: 16},
		{MemoryKiB: 64, Time: 0, Threads: 1, KeyLen: 32, SaltLen: 16},
		{MemoryKiB: 4, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16},
		{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 0, SaltLen: 16},
		{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 0},
		{MemoryKiB: 1<<20 + 1, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16},
	} {
		got, err := (&Hasher{Params: p}).Hash("12345678")
		if got != "" || !errors.Is(err, ErrFormat) {
			t.Errorf("Hash with %+v = %q, %v; want \"\", ErrFormat", p, got, err)
		}
	}
}

func TestVerifyReferenceVector(t *testing.T) {
	h := &Hasher{Params: DefaultParams()}
	for _, tc := range []struct {
		pw         string
		ok, rehash bool
	}{
		{"password", true, true}, // m=65536 differs from the defaults
		{"passwore", false, false},
	} {
		ok, rehash, err := h.Verify(tc.pw, refPHC, 0)
		if ok != tc.ok || rehash != tc.rehash || err != nil {
			t.Errorf("Verify(%q, ref) = %v, %v, %v; want %v, %v, nil", tc.pw, ok, rehash, err, tc.ok, tc.rehash)
		}
	}
	same := &Hasher{Params: Params{MemoryKiB: 65536, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 8}}
	if ok, rehash, err := same.Verify("password", refPHC, 0); !ok || rehash || err != nil {
		t.Errorf("Verify with matching params = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestVerifyOtherParamsAsksRehash(t *testing.T) {
	old := &Hasher{Params: cheap}
	stored, err := old.Hash("12345678")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	for _, tc := range []struct {
		name   string
		params Params
		want   bool
	}{
		{"same", cheap, false},
		{"more memory", Params{MemoryKiB: 128, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, true},
		{"more time", Params{MemoryKiB: 64, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}, true},
		{"more threads", Params{MemoryKiB: 64, Time: 1, Threads: 2, KeyLen: 32, SaltLen: 16}, true},
		{"longer key", Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 64, SaltLen: 16}, true},
		{"longer salt", Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 32}, true},
	} {
		ok, rehash, err := (&Hasher{Params: tc.params}).Verify("12345678", stored, 0)
		if !ok || rehash != tc.want || err != nil {
			t.Errorf("%s: Verify = %v, %v, %v; want true, %v, nil", tc.name, ok, rehash, err, tc.want)
		}
	}
}

func TestVerifyTamperedPHC(t *testing.T) {
	const (
		salt = "c29tZXNhbHQ"
		key  = "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	)
	h := &Hasher{Params: cheap}
	// Each stored value is refPHC with one field spoiled; none may panic and
	// all must report an error rather than a plain mismatch.
	for _, stored := range []string{
		"$argon2id$",
		"$argon2id$v=19$m=65536,t=2,p=1$" + salt,
		"$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + key + "$",
		"$argon2id$v=16$m=65536,t=2,p=1$" + salt + "$" + key,
		"$argon2id$m=65536,t=2,p=1$" + salt + "$" + key + "$x",
		"$argon2id$v=19$t=2,m=65536,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=2$" + salt + "$" + key,
		"$argon2id$v=19$m=065536,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=+65536,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=abc,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=0,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=4294967296,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=4294967295,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=2,p=257$" + salt + "$" + key,
		"$argon2id$v=19$m=8,t=2,p=2$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=2,p=1$" + salt + "!$" + key,
		"$argon2id$v=19$m=65536,t=2,p=1$" + salt + "=$" + key,
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$" + key,
		"$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + key[:20],
		"$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + key[:42] + "d",
		"$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$",
	} {
		ok, rehash, err := h.Verify("password", stored, 0)
		if ok || rehash || !errors.Is(err, ErrFormat) {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, ErrFormat", stored, ok, rehash, err)
		}
	}
}

func TestVerifyFlippedKeyOrSaltMismatches(t *testing.T) {
	h := &Hasher{Params: cheap}
	stored, err := h.Hash("12345678")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	i := strings.LastIndexByte(stored, '$')
	flip := func(s string, at int) string {
		c := byte('A')
		if s[at] == 'A' {
			c = 'B'
		}
		return s[:at] + string(c) + s[at+1:]
	}
	for name, s := range map[string]string{"key": flip(stored, i+1), "salt": flip(stored, i-5)} {
		ok, rehash, err := h.Verify("12345678", s, 0)
		if ok || rehash || err != nil {
			t.Errorf("%s flipped: Verify = %v, %v, %v; want false, false, nil", name, ok, rehash, err)
		}
	}
}

func TestVerifyUnknownFormats(t *testing.T) {
	h := &Hasher{Params: cheap, Secrets: []Secret{{Value: "s"}}}
	for _, stored := range []string{
		"",
		"123456",
		"$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"03caebb36670995fc261a275d212cad65e4bbeb",   // 39 hex
		"03caebb36670995fc261a275d212cad65e4bbebd0", // 41 hex
		"03caebb36670995fc261a275d212cad65e4bbebg",  // 40, not hex
		"e10adc3949ba59abbe56e057f20f883e",          // md5, 32 hex
	} {
		ok, rehash, err := h.Verify("123456", stored, 0)
		if ok || rehash || !errors.Is(err, ErrFormat) {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, ErrFormat", stored, ok, rehash, err)
		}
	}
}

func TestDummy(t *testing.T) {
	// Dummy has no result; this only proves it survives every input kind.
	for _, h := range []*Hasher{{}, {Params: cheap}, {Params: Params{Threads: 1}}} {
		for _, pw := range []string{"", "12345678", "\xff", strings.Repeat("a", 1<<20)} {
			h.Dummy(pw)
		}
	}
}

// TestGate: with every slot taken, hashing, verifying and the dummy verify
// wait the gate's wait and give up with ErrBusy, hashing nothing; once a
// slot frees they run.
func TestGate(t *testing.T) {
	g := NewGate(1, 20*time.Millisecond)
	h := &Hasher{Params: Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, Gate: g}
	stored, err := h.Hash("hunter22")
	if err != nil {
		t.Fatal(err)
	}
	leave, err := g.Enter()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Hash("hunter22"); !errors.Is(err, ErrBusy) {
		t.Errorf("Hash with the gate full: %v, want ErrBusy", err)
	}
	if ok, _, err := h.Verify("hunter22", stored, 0); ok || !errors.Is(err, ErrBusy) {
		t.Errorf("Verify with the gate full: %v %v, want false, ErrBusy", ok, err)
	}
	if err := h.Dummy("hunter22"); !errors.Is(err, ErrBusy) {
		t.Errorf("Dummy with the gate full: %v, want ErrBusy", err)
	}
	go func() { time.Sleep(5 * time.Millisecond); leave() }()
	if ok, _, err := h.Verify("hunter22", stored, 0); !ok || err != nil {
		t.Errorf("Verify after the slot freed within the wait: %v %v", ok, err)
	}
	if n := NewGate(0, time.Second).Slots(); n != runtime.GOMAXPROCS(0) {
		t.Errorf("default slots = %d, want one per core (%d)", n, runtime.GOMAXPROCS(0))
	}
}
