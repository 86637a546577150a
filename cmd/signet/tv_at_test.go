package main

import (
	"strings"
	"testing"
	"time"
)

// A TIME's offset is time-numoffset = ("+" / "-") time-hour ":" time-minute (RFC 3339 5.6),
// its hour 00 to 23 and its minute 00 to 59. time.Parse takes an offset hour of 24 and a
// minute of 60, so --at 2026-06-01T00:00:00+24:00 validated at 2026-05-31T00:00:00Z, a day
// before any time the user could have meant, and --not-after issued to it. It is now a usage
// error (exit 2) naming the flag; the good offsets still read to the instant they name.
func TestTVAtOffsetOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC; "" for a refusal
	}{
		{"2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z"},
		{"2026-06-01T00:00:00+23:59", "2026-05-31T00:01:00Z"},
		{"2026-06-01T00:00:00-23:59", "2026-06-01T23:59:00Z"},
		{"2026-06-01T00:00:00+01:00", "2026-05-31T23:00:00Z"},
		{"2026-06-01T00:00:00-00:00", "2026-06-01T00:00:00Z"},
		{"2026-06-01T12:00:00.5+02:00", "2026-06-01T10:00:00.5Z"},
		{"2026-06-01", "2026-06-01T00:00:00Z"},
		{"2026-06-01T00:00:00+24:00", ""},
		{"2026-06-01T00:00:00-24:00", ""},
		{"2026-06-01T00:00:00+24:59", ""},
		{"2026-06-01T00:00:00+23:60", ""},
		{"2026-06-01T00:00:00-00:60", ""},
	} {
		got, err := certParseTimeFlag("at", tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("--at %s read as %s, want a refusal", tc.in, got.Format(time.RFC3339Nano))
		case tc.want != "" && (err != nil || got.Format(time.RFC3339Nano) != tc.want):
			t.Errorf("--at %s: %v %v, want %s", tc.in, got.Format(time.RFC3339Nano), err, tc.want)
		}
	}
	_, stderr, code := runSignet(t, "", "cert", "verify", "--roots", "no-such-root.pem", "--at", "2026-06-01T00:00:00+24:00", "no-such.pem")
	if code != exitUsage || !strings.Contains(stderr, "--at") || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
		t.Errorf("cert verify --at +24:00: exit %d, %q; want exit %d naming --at", code, stderr, exitUsage)
	}
}
