// Package archtest holds no code: its test checks the import rules of ARCHITECTURE.md over
// the whole module.
package archtest
