package main

import (
	"strings"
	"testing"
)

// TestTCExplanationsHoldOnlyForWhatTheyExplain: the TLS client-certificate campaign's
// anyExtendedKeyUsage explanations, which explain signet accepting what openssl refuses,
// hold only where openssl refused for the purpose and every fault drawn on that side is one
// signet is explained to accept. They held whatever else the case drew and whatever openssl
// said: a client chain with an anyExtendedKeyUsage leaf and a stale CRL, or a server chain
// with an anyExtendedKeyUsage leaf that openssl refused for another reason, accepted by
// signet, read as explained, and a fail-open of signet's CRL or chain checks would have hidden
// behind it (openssl stops at its first error).
func TestTCExplanationsHoldOnlyForWhatTheyExplain(t *testing.T) {
	purpose := "\n--- s_server:\nverify error:num=26:unsuitable certificate purpose\n"
	for _, tc := range []struct {
		name        string
		faults      []tcFault
		osslOut     string
		osslCode    int
		unexplained string // "" when the difference is explained
	}{
		{"client: anyEKU alone", []tcFault{tcLeafEKUAny}, purpose, 0, ""},
		{"client: anyEKU and a stale CRL", []tcFault{tcLeafEKUAny, tcCRLStale}, purpose, 0, "client chain"},
		{"client: anyEKU, openssl refused for another reason", []tcFault{tcLeafEKUAny},
			"\n--- s_server:\nverify error:num=12:CRL has expired\n", 0, "client chain"},
		{"server: anyEKU alone", []tcFault{tcSrvEKUAny}, "", 26, ""},
		{"server: anyEKU, openssl refused for another reason", []tcFault{tcSrvEKUAny}, "", 10, "server chain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &tcCase{tls: "1.3", signetServer: "serve", sLeafKey: "p256", faults: map[tcFault]bool{}}
			for _, f := range tc.faults {
				c.faults[f] = true
			}
			v := tcVerdict{osslOut: tc.osslOut, osslCode: tc.osslCode}
			if strings.HasPrefix(tc.name, "client") {
				v.serve, v.ossl = true, false
				v.check = tcCheckReport{ServerTrusted: true, Reason: "client certificate rejected"} // the server chain agrees
			} else {
				v.check = tcCheckReport{ServerTrusted: true, Accepted: true, OK: true}
				v.serve, v.ossl = true, true
			}
			var unexplained []string
			for _, p := range c.problems(v) {
				if strings.Contains(p, "unexplained") {
					unexplained = append(unexplained, p)
				}
			}
			switch {
			case tc.unexplained == "" && len(unexplained) > 0:
				t.Errorf("want explained: %q", unexplained)
			case tc.unexplained != "" && (len(unexplained) != 1 || !strings.HasPrefix(unexplained[0], tc.unexplained)):
				t.Errorf("want the %s unexplained: %q", tc.unexplained, unexplained)
			}
		})
	}
}
