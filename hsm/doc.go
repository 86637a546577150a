// Package hsm reaches keys on PKCS#11 tokens (USB keys, smart cards, HSMs) and exposes them as
// crypto.Signer.
package hsm
