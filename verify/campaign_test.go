package verify_test

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// What the seeded differential campaigns (rx, rxc, oc: against openssl; wx: against
// crypto/x509) share: the openssl they ask (their seed ranges and tally, testutil.Seeds and
// testutil.Tally, they share with the other packages' campaigns).

// campaignOpenSSL is the openssl a campaign asks, "" when there is none or it is not OpenSSL 3,
// for which the campaigns' explanations are written.
func campaignOpenSSL(t *testing.T) string {
	t.Helper()
	openssl, _ := exec.LookPath("openssl")
	if openssl == "" {
		return ""
	}
	out, _ := exec.Command(openssl, "version").Output()
	if !strings.HasPrefix(string(out), "OpenSSL 3.") {
		t.Logf("openssl is %s; the explanations are written for OpenSSL 3.0: not asked", strings.TrimSpace(string(out)))
		return ""
	}
	return openssl
}

// dumpSeed is the seed a campaign's dump tool writes the files of, from PREFIX_DUMP, and the
// directory it writes them into, PREFIX_DIR; it skips the test without PREFIX_DUMP.
func dumpSeed(t *testing.T, prefix string) (seed int64, dir string) {
	t.Helper()
	s := os.Getenv(prefix + "_DUMP")
	if s == "" {
		t.Skipf("set %s_DUMP=seed %s_DIR=dir", prefix, prefix)
	}
	seed, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return seed, os.Getenv(prefix + "_DIR")
}
