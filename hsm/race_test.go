//go:build race

package hsm

// raceEnabled: under the race detector (ThreadSanitizer, which cgo lets intercept signal
// handlers) a signal a thread sends itself is delivered late, so the tests of when a held
// signal ends the process run without it (scripts/test.sh runs them so).
const raceEnabled = true
