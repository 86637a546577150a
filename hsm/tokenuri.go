package hsm

import (
	"path/filepath"
	"strconv"
	"strings"
)

// baseQuery returns the query part carried into printed URIs: the module when it came from
// the URI or an option (not from the environment or the default), and the pin-source.
func baseQuery(u *URI, src moduleSource, path string) *URI {
	b := &URI{PINSource: u.PINSource}
	switch src {
	case fromURI:
		b.ModulePath, b.ModuleName = u.ModulePath, u.ModuleName
	case fromOption:
		if abs, err := filepath.Abs(path); err == nil {
			b.ModulePath = abs
		}
	}
	return b
}

// tokenURI returns the URI selecting a token: its label and serial (manufacturer and model
// when it has no serial), or the slot id for an empty slot, plus the query of q.
func tokenURI(t TokenInfo, q *URI) *URI {
	u := &URI{ModulePath: q.ModulePath, ModuleName: q.ModuleName, PINSource: q.PINSource}
	if !t.Present {
		u.SlotID = strconv.FormatUint(uint64(t.SlotID), 10)
		return u
	}
	u.Token = t.Label
	u.present |= 1 << aToken
	if t.Serial != "" {
		u.Serial = t.Serial
	} else {
		u.Manufacturer, u.Model = t.Manufacturer, t.Model
		u.present |= 1<<aManufacturer | 1<<aModel
	}
	return u
}

// pathPart is a URI without its query, for messages that name the module separately.
func pathPart(u *URI) string {
	s, _, _ := strings.Cut(u.String(), "?")
	return s
}

func joinTokenURIs(ts []TokenInfo) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.URI
	}
	return strings.Join(s, ", ")
}
