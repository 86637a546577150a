package main

import (
	"regexp"
	"strings"
	"sync"
)

// internalPrefix matches the package names that libraries put at the head of their errors
// ("x509util: ", "sign: malformed signature: ", "proto: "): useful to a developer, noise to a
// user, who never typed them. They are taken out of what signet prints; exit codes never
// depend on the text (exit.go). Compiled on first use: a run that succeeds never needs it.
var internalPrefix = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(^|: |\()(?:x509util|hsm|sign|verify|digest|sigformat|timestamp|keyref|secret|atomicfile|readlimit|pkixname|identity|enroll|tlsprobe|tlsaudit|tunnel|proto|pkcs8|pkcs12): `)
})

// userMessage is an error's text as signet prints it: on one line, without library package
// names, and without a segment said twice in a row ("a.txt: a.txt: no such file" is
// "a.txt: no such file", "read d: read d: is a directory" is "read d: is a directory"), and
// with no character that could disturb a terminal (escapeControls).
func userMessage(s string) string {
	s = oneLine(s)
	for {
		t := internalPrefix().ReplaceAllString(s, "$1")
		if t == s {
			break
		}
		s = t
	}
	parts := strings.Split(s, ": ")
	out := parts[:1]
	for _, p := range parts[1:] {
		if p == out[len(out)-1] {
			continue
		}
		out = append(out, p)
	}
	// What remains can still hold text a certificate or a file chose (a subject, a name):
	// control and format characters are written as hex pairs, as in verdict lines.
	return escapeControls(strings.Join(out, ": "))
}
