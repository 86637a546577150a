package tlsaudit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The probes written byte by byte: protocol versions, cipher suites and their order, key
// exchange groups, and downgrade protection.

func (a *auditor) accepted(v uint16) bool { return a.hellos[v] != nil }

func (a *auditor) versions(ctx context.Context) error {
	for _, v := range probedVersions {
		vr := VersionReport{Version: VersionName(v)}
		sh, err := a.probe(ctx, versionHello(v, suitesFor(v)))
		switch {
		case err == nil && sh.version == v:
			vr.Accepted = true
			a.hellos[v] = sh
		case err == nil:
			vr.Answer = "chose " + VersionName(sh.version)
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			vr.Answer = answer(err)
		}
		a.rep.Versions = append(a.rep.Versions, vr)
		name := VersionName(v)
		switch {
		case vr.Accepted && v <= VersionTLS11:
			a.add(Fail, AreaProtocol, name, "accepted; %s is obsolete (RFC 8996)", name)
		case vr.Accepted:
			a.add(OK, AreaProtocol, name, "accepted")
		case v == VersionTLS13:
			a.add(Warn, AreaProtocol, name, "not accepted (%s)", vr.Answer)
		case v == VersionTLS12 && !a.accepted(VersionTLS13):
			a.add(Warn, AreaProtocol, name, "not accepted (%s)", vr.Answer)
		default:
			a.add(OK, AreaProtocol, name, "not accepted (%s)", vr.Answer)
		}
	}
	if len(a.hellos) == 0 {
		a.add(Fail, AreaProtocol, "handshake", "no protocol version offered was accepted: is it a TLS server?")
	}
	return nil
}

func (a *auditor) version(v uint16) *VersionReport {
	for i := range a.rep.Versions {
		if a.rep.Versions[i].Version == VersionName(v) {
			return &a.rep.Versions[i]
		}
	}
	return nil
}

// ciphers enumerates the suites of each accepted version: offer all, note the one chosen,
// offer the rest, until the server refuses, then the rest again one key exchange and
// authentication at a time; then offer the accepted ones in reverse to see whose order wins.
func (a *auditor) ciphers(ctx context.Context) error {
	for _, v := range probedVersions {
		if !a.accepted(v) {
			continue
		}
		vr := a.version(v)
		got, remaining, err := a.enumerate(ctx, v, suitesFor(v))
		if err != nil {
			return err
		}
		if v < VersionTLS13 && len(remaining) > 0 {
			// A server may pick a suite it then cannot serve (a DHE suite without a
			// finite-field group) and refuse the whole hello, though it accepts others in it:
			// what is left is offered again, one key exchange and authentication at a time.
			var classes []string
			for _, id := range remaining {
				if c := suiteClass(id); !slices.Contains(classes, c) {
					classes = append(classes, c)
				}
			}
			for _, c := range classes {
				more, _, err := a.enumerate(ctx, v, slices.DeleteFunc(slices.Clone(remaining), func(id uint16) bool { return suiteClass(id) != c }))
				if err != nil {
					return err
				}
				got = append(got, more...)
			}
		}
		for _, id := range got {
			info := suiteByID()[id]
			sr := SuiteReport{Name: suiteName(id), ID: fmt.Sprintf("0x%04x", id)}
			if info != nil {
				sr.Weak = info.weak
			}
			vr.Suites = append(vr.Suites, sr)
			subject := vr.Version + " " + sr.Name
			switch {
			case len(sr.Weak) == 0:
				a.add(OK, AreaCipher, subject, "accepted")
			case slices.ContainsFunc(sr.Weak, func(w string) bool { return severe[w] }):
				a.add(Fail, AreaCipher, subject, "accepted; weak: %s", strings.Join(sr.Weak, ", "))
			default:
				a.add(Warn, AreaCipher, subject, "accepted; weak: %s", strings.Join(sr.Weak, ", "))
			}
		}
		if len(got) == 0 {
			a.add(Warn, AreaCipher, vr.Version, "the version is accepted but none of the %d suites offered one by one", len(suitesFor(v)))
			continue
		}
		if len(got) < 2 {
			continue
		}
		rev := slices.Clone(got)
		slices.Reverse(rev)
		sh, err := a.probe(ctx, versionHello(v, rev))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			continue
		}
		server := sh.suite == got[0]
		vr.ServerOrder = &server
		if server {
			a.add(OK, AreaCipher, vr.Version+" order", "the server chooses by its own preference: %s first", suiteName(got[0]))
		} else {
			verdict := Info
			if v < VersionTLS13 && slices.ContainsFunc(got, func(id uint16) bool { return suiteByID()[id] != nil && len(suiteByID()[id].weak) > 0 }) {
				verdict = Warn // a client that prefers a weak suite gets it
			}
			a.add(verdict, AreaCipher, vr.Version+" order", "the server follows the client's order (it chose %s when offered last-first)", suiteName(sh.suite))
		}
	}
	return nil
}

// enumerate offers the suites of version v, notes the one the server chooses, and offers
// the rest, until the server refuses; it returns the suites chosen, in that order, and those
// never chosen.
func (a *auditor) enumerate(ctx context.Context, v uint16, remaining []uint16) (got, rest []uint16, err error) {
	for len(remaining) > 0 {
		sh, err := a.probe(ctx, versionHello(v, remaining))
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if err != nil || sh.version != v || !slices.Contains(remaining, sh.suite) {
			break
		}
		got = append(got, sh.suite)
		remaining = slices.DeleteFunc(remaining, func(id uint16) bool { return id == sh.suite })
	}
	return got, remaining, nil
}

// suiteClass is a suite's key exchange and authentication ("ECDHE/RSA").
func suiteClass(id uint16) string {
	if s := suiteByID()[id]; s != nil {
		return s.kex + "/" + s.auth
	}
	return ""
}

// groups offers each group alone for TLS 1.3 (with its key share) and each elliptic curve
// with ECDHE suites for TLS 1.2, reading the curve the ServerKeyExchange names. In TLS 1.2
// the supported_groups extension also limits the curve of an ECDSA certificate, so a curve
// refused alone is offered again beside the leaf's own (or, the leaf seen not being ECDSA,
// beside every curve an ECDSA leaf may have).
func (a *auditor) groups(ctx context.Context) error {
	for _, v := range []uint16{VersionTLS13, VersionTLS12} {
		if !a.accepted(v) {
			continue
		}
		vr := a.version(v)
		var ecdhe []uint16
		for _, s := range suitesFor(v) {
			if info := suiteByID()[s]; v == VersionTLS12 && info.kex == "ECDHE" {
				ecdhe = append(ecdhe, s)
			}
		}
		for _, g := range groups {
			var h *hello
			if v == VersionTLS13 {
				h = versionHello(v, suitesFor(v))
				h.groups, h.keyShares = []uint16{g}, []uint16{g}
			} else {
				if !ecGroup(g) {
					continue
				}
				h = versionHello(v, ecdhe)
				h.groups, h.wantSKE = []uint16{g}, true
			}
			sh, err := a.probe(ctx, h)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if v == VersionTLS12 && (err != nil || sh.skeGroup != g) {
				// The ECDSA leaf's curve, which supported_groups must allow: the one of
				// the leaf seen, or, when the chain handshake showed another leaf (an RSA
				// one beside it), every curve an ECDSA certificate may have. g first, so
				// that a server choosing by the client's order takes it.
				leaf := []uint16{groupP256, groupP384, groupP521}
				if a.leafCurve != 0 {
					leaf = []uint16{a.leafCurve}
				}
				if leaf = slices.DeleteFunc(leaf, func(c uint16) bool { return c == g }); len(leaf) > 0 {
					h.groups = append([]uint16{g}, leaf...)
					sh, err = a.probe(ctx, h)
					if ctx.Err() != nil {
						return ctx.Err()
					}
					if err == nil && sh.version == v && sh.skeGroup != g && slices.Contains(leaf, sh.skeGroup) {
						// It took the certificate's curve: whether it would take g is
						// not known.
						vr.GroupsUndetermined = append(vr.GroupsUndetermined, GroupName(g))
					}
				}
			}
			switch {
			case err != nil || sh.version != v:
			case v == VersionTLS13 && sh.group == g, v == VersionTLS12 && sh.skeGroup == g:
				vr.Groups = append(vr.Groups, GroupName(g))
			}
		}
		switch {
		case len(vr.Groups) > 0:
			a.add(Info, AreaGroup, vr.Version, "key exchange groups: %s", strings.Join(vr.Groups, ", "))
		case v == VersionTLS12:
			a.add(Info, AreaGroup, vr.Version, "no ECDHE with any curve offered alone")
		default:
			a.add(Warn, AreaGroup, vr.Version, "no group offered alone was accepted")
		}
		if len(vr.GroupsUndetermined) > 0 {
			a.add(Info, AreaGroup, vr.Version, "not determined: %s (the server's ECDHE suites need its ECDSA certificate's curve offered beside each, and it chose that curve)",
				strings.Join(vr.GroupsUndetermined, ", "))
		}
	}
	return nil
}

// downgrade checks the TLS 1.3 downgrade sentinel and TLS_FALLBACK_SCSV.
func (a *auditor) downgrade(ctx context.Context) error {
	if sh := a.hellos[VersionTLS12]; sh != nil && a.accepted(VersionTLS13) {
		if string(sh.random[24:]) == string(downgradeTLS12) {
			a.add(OK, AreaDowngrade, "TLS 1.3 sentinel", "offered TLS 1.2 alone, the server marks ServerHello.random with DOWNGRD\\x01 (RFC 8446 4.1.3)")
		} else {
			a.add(Fail, AreaDowngrade, "TLS 1.3 sentinel", "offered TLS 1.2 alone, the server accepts TLS 1.3 but ServerHello.random lacks DOWNGRD\\x01 (RFC 8446 4.1.3): a downgrade would go unnoticed")
		}
	}
	for _, old := range []uint16{VersionTLS11, VersionTLS10} {
		sh := a.hellos[old]
		if sh == nil || !(a.accepted(VersionTLS12) || a.accepted(VersionTLS13)) {
			continue
		}
		name := VersionName(old)
		switch {
		case string(sh.random[24:]) == string(downgradeTLS11):
			a.add(OK, AreaDowngrade, name+" sentinel", "offered %s alone, the server marks ServerHello.random with DOWNGRD\\x00", name)
		case a.accepted(VersionTLS13):
			a.add(Fail, AreaDowngrade, name+" sentinel", "offered %s alone, the server accepts TLS 1.3 but ServerHello.random lacks DOWNGRD\\x00 (RFC 8446 4.1.3)", name)
		default:
			a.add(Warn, AreaDowngrade, name+" sentinel", "offered %s alone, ServerHello.random lacks DOWNGRD\\x00, which TLS 1.2 servers should send (RFC 8446 4.1.3)", name)
		}
	}

	var acc []uint16
	for _, v := range probedVersions {
		if a.accepted(v) {
			acc = append(acc, v)
		}
	}
	if len(acc) < 2 {
		a.add(Info, AreaDowngrade, "TLS_FALLBACK_SCSV", "not applicable: the server accepts one protocol version")
		return nil
	}
	top, below := acc[len(acc)-1], acc[len(acc)-2]
	h := versionHello(below, append(suitesFor(below), scsvFallback))
	sh, err := a.probe(ctx, h)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ae *AlertError
	switch {
	case err == nil:
		a.add(Fail, AreaDowngrade, "TLS_FALLBACK_SCSV", "offered %s with TLS_FALLBACK_SCSV, the server accepted %s though it speaks %s (RFC 7507)", VersionName(below), VersionName(sh.version), VersionName(top))
	case errors.As(err, &ae) && ae.Description == alertInappropriateFallbck:
		a.add(OK, AreaDowngrade, "TLS_FALLBACK_SCSV", "offered %s with TLS_FALLBACK_SCSV, the server answers inappropriate_fallback (RFC 7507)", VersionName(below))
	default:
		a.add(Warn, AreaDowngrade, "TLS_FALLBACK_SCSV", "offered %s with TLS_FALLBACK_SCSV, the server refused with %s, not inappropriate_fallback (RFC 7507)", VersionName(below), answer(err))
	}
	return nil
}
