package tlsaudit

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"testing"
)

// FuzzProtectedRecord: what the server sends once keys are on (TLS 1.2 AES-GCM records the
// renegotiation and resumption probes open themselves) is opened or refused, never a panic
// nor more than one record's bytes read; a record sealed with the key opens to what was
// sealed, under its type and sequence number only.
//
//	go test -run '^$' -fuzz FuzzProtectedRecord -fuzztime 60s ./internal/tlsaudit/
func FuzzProtectedRecord(f *testing.F) {
	block := prf12(sha256.New, bytes.Repeat([]byte{7}, 48), "key expansion", make([]byte, 64), 2*16+8)
	b, err := aes.NewCipher(block[:16])
	if err != nil {
		f.Fatal(err)
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		f.Fatal(err)
	}
	k := gcmKey{aead: g, salt: block[32:36]}
	f.Add(uint8(recordHandshake), []byte("\x00\x00\x00\x00"), uint64(0), []byte{21, 3, 3, 0, 2, 2, 40})
	f.Add(uint8(23), []byte("hello"), uint64(1), k.seal(23, []byte("x"), 1))
	f.Add(uint8(21), []byte{}, uint64(1<<63), []byte{23, 3, 3, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, typ uint8, plain []byte, seq uint64, stream []byte) {
		if len(plain) > 1<<14 {
			return
		}
		rec := k.seal(typ, plain, seq)
		gotTyp, got, err := readProtected(bytes.NewReader(rec), k, seq)
		if err != nil || gotTyp != typ || !bytes.Equal(got, plain) {
			t.Fatalf("sealed %d %x, opened %d %x, %v", typ, plain, gotTyp, got, err)
		}
		if _, _, err := readProtected(bytes.NewReader(rec), k, seq+1); err == nil {
			t.Fatal("a record opened under another sequence number")
		}
		r := bytes.NewReader(stream)
		if _, _, err := readProtected(r, k, seq); err == nil {
			if read := len(stream) - r.Len(); read > 5+1<<14+2048 {
				t.Fatalf("read %d bytes for one record", read)
			}
		}
		records(stream)
		protectedRecords(stream)
		afterCCS(stream)
		tls12Plain(stream)
	})
}
