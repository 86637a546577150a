package hsm

import "errors"

// ErrToken is the root of every error about a PKCS#11 module, token, PIN or token key; more
// specific errors wrap it, so errors.Is(err, ErrToken) tells callers "key or token problem".
var ErrToken = errors.New("hsm: token error")
