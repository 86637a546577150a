//go:build cgo && !unix

package hsm

// dlDiagnose has no portable way to ask the loader why a module failed outside Unix.
func dlDiagnose(string) string { return "" }
