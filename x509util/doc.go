// Package x509util reads and writes keys, CSRs, certificates and CRLs in the encodings
// operators meet (PEM, DER, PKCS#8, PKCS#1, SEC1, PKCS#12), and issues certificates.
package x509util
