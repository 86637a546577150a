package verify

// SetAfterGuard has VerifyManifest call f between its entries' check and their hashing, until
// the returned function restores it.
func SetAfterGuard(f func()) (restore func()) {
	afterGuard = f
	return func() { afterGuard = nil }
}
