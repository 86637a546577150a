package verify_test

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

// TestCheckOCSPUsed: a response about no certificate of the chains a run validated was passed
// over (a "skip" line among the checks of `cert verify`, nothing at all in `signet verify`),
// although it answers a question nobody asked and leaves unestablished the status it was
// given for; openssl ocsp -respin fails with "No Status found". CheckOCSPUsed names the first
// such response (CRLMissing, signet.ocsp-unused), judged against every chain of the run.
func TestCheckOCSPUsed(t *testing.T) {
	k := newRVPKI(t)
	res, err := verify.Verify(k.leaf.cert, nil, k.policy())
	mustValid(t, res, err)
	chain := res.Chain
	aboutLeaf := rvOCSP{signer: k.inter, singles: []rvSingle{k.good()}}.der(t)
	aboutInter := rvOCSP{signer: k.root, singles: []rvSingle{{issuer: k.root.cert, serial: k.inter.cert.SerialNumber, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}}}.der(t)
	sisterLeaf := leafCert(t, "other.example.com", k.sister)
	aboutOther := rvOCSP{signer: k.sister, singles: []rvSingle{{issuer: k.sister.cert, serial: sisterLeaf.cert.SerialNumber, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}}}.der(t)
	// The CA's rolled-over key answering about the leaf's serial: another certificate.
	next := subCA(t, "RV Inter", k.root)
	aboutNextKey := rvOCSP{signer: next, singles: []rvSingle{{issuer: next.cert, serial: k.leaf.cert.SerialNumber, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}}}.der(t)
	tryLater := rvOCSP{signer: k.inter, status: 3}.der(t)

	for _, c := range []struct {
		name  string
		resps [][]byte
		want  int
	}{
		{"about the leaf and the intermediate", [][]byte{aboutLeaf, aboutInter}, -1},
		{"a response about another CA's certificate", [][]byte{aboutLeaf, aboutOther}, 1},
		{"a response of the CA's other key", [][]byte{aboutNextKey, aboutLeaf}, 0},
		{"an error response is Verify's to judge", [][]byte{tryLater}, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := verify.CheckOCSPUsed(c.resps, chain)
			if k != c.want {
				t.Fatalf("CheckOCSPUsed = %d, %v; want %d", k, err, c.want)
			}
			if c.want < 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ve *verify.Error
			if !errors.As(err, &ve) || ve.Rule != "signet.ocsp-unused" || !errors.Is(err, verify.CRLMissing) {
				t.Fatalf("err = %v, want a CRLMissing *verify.Error with rule signet.ocsp-unused", err)
			}
		})
	}
}

// TestCheckOCSPUsedTSAChain: in `signet verify` the responses given serve the signer's chain
// and each TSA's. A response about the TSA's certificate is about no certificate of the
// signer's chain, and is used all the same: judged against the chains of the artifact's
// result (the signer's and the timestamps'), it is about one of them.
func TestCheckOCSPUsedTSAChain(t *testing.T) {
	content := []byte("a release\n")
	cert, key := shortLived(t, 0x5102)
	tsa := tsaAuthority(t, true)
	s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
	ca := &tpIssued{cert: mustCerts(t, "int-ca.pem")[0], key: tpKey{mustSigner(t, "int-ca.key")}}
	aboutTSA := rvOCSP{signer: ca, singles: []rvSingle{{issuer: ca.cert, serial: tsa.Chain[0].SerialNumber, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}}}.der(t)
	opts := verify.ArtifactOptions{Policy: codeSigning(t), TSARoots: mustCerts(t, "root-ca.pem")}
	opts.Policy.OCSP = [][]byte{aboutTSA}
	res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: "app", Content: content, Signature: s}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Timestamps) != 1 || len(res.Timestamps[0].Chain) == 0 {
		t.Fatalf("no TSA chain in the result: %+v", res.Timestamps)
	}
	if k, err := verify.CheckOCSPUsed(opts.Policy.OCSP, res.Signer.Chain); k != 0 || err == nil {
		t.Fatalf("against the signer's chain alone: %d, %v; want response 0 unused", k, err)
	}
	if k, err := verify.CheckOCSPUsed(opts.Policy.OCSP, res.Signer.Chain, res.Timestamps[0].Chain); k != -1 || err != nil {
		t.Fatalf("against the signer's and the TSA's chains: %d, %v; want every response used", k, err)
	}
	// Chain by chain, as a run over many artifacts adds them.
	u := verify.NewOCSPUse(opts.Policy.OCSP)
	u.Add(res.Signer.Chain)
	if k, _ := u.Check(); k != 0 {
		t.Fatalf("after the signer's chain: %d, want response 0 unused", k)
	}
	u.Add(res.Timestamps[0].Chain)
	if k, err := u.Check(); k != -1 || err != nil {
		t.Fatalf("after the TSA's chain too: %d, %v", k, err)
	}
	// Regression guard: a response about neither is named.
	other := rvOCSP{signer: ca, singles: []rvSingle{{issuer: ca.cert, serial: big.NewInt(99), nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}}}.der(t)
	if k, _ := verify.CheckOCSPUsed([][]byte{aboutTSA, other}, res.Signer.Chain, res.Timestamps[0].Chain); k != 1 {
		t.Fatalf("a response about neither chain: %d, want 1", k)
	}
}

// TestOCSPAboutChainPolicy: with Policy.OCSPAboutChain (cert verify, tls check), a response
// about no certificate of the path fails it with signet.ocsp-unused and a fail check, where
// without it the response is a skip; a response about the leaf passes either way.
func TestOCSPAboutChainPolicy(t *testing.T) {
	k := newRVPKI(t)
	aboutLeaf := rvOCSP{signer: k.inter, singles: []rvSingle{k.good()}}.der(t)
	sisterLeaf := leafCert(t, "other.example.com", k.sister)
	aboutOther := rvOCSP{signer: k.sister, singles: []rvSingle{{issuer: k.sister.cert, serial: sisterLeaf.cert.SerialNumber, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}}}.der(t)
	for _, about := range []bool{false, true} {
		p := k.policy()
		p.OCSPAboutChain = about
		p.OCSP = [][]byte{aboutLeaf}
		res, err := verify.Verify(k.leaf.cert, nil, p)
		mustValid(t, res, err)
		p.OCSP = [][]byte{aboutLeaf, aboutOther}
		res, err = verify.Verify(k.leaf.cert, nil, p)
		if !about {
			mustValid(t, res, err)
			continue
		}
		var ve *verify.Error
		if !errors.As(err, &ve) || ve.Rule != "signet.ocsp-unused" || !errors.Is(err, verify.CRLMissing) || res == nil || res.Valid {
			t.Fatalf("a response about another CA's certificate: %v, want signet.ocsp-unused", err)
		}
		failed := false
		for _, c := range res.Checks {
			failed = failed || c.Status == verify.Fail && c.Rule == "signet.ocsp-unused"
		}
		if !failed {
			t.Errorf("no failed check names signet.ocsp-unused: %+v", res.Checks)
		}
	}
}
