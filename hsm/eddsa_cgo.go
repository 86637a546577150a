//go:build cgo

package hsm

/*
// CK_EDDSA_PARAMS of PKCS#11 3.0 (section 2.3.5), which github.com/miekg/pkcs11 v1.1.2
// predates. Laid out by the C compiler, as the module expects it: packed on Windows, where
// Cryptoki structures are 1-byte aligned, natural alignment elsewhere.
#ifdef _WIN32
#pragma pack(push, 1)
#endif
typedef struct {
	unsigned char phFlag;
	unsigned long ulContextDataLen;
	unsigned char *pContextData;
} signet_eddsa_params;
#ifdef _WIN32
#pragma pack(pop)
#endif
*/
import "C"

import "unsafe"

// eddsaPhParams is CK_EDDSA_PARAMS{phFlag: CK_TRUE, no context} as the bytes of
// CKM_EDDSA's parameter: Ed25519ph (RFC 8032 section 5.1) over a SHA-512 digest. With no
// context the pointer is NULL, so the bytes can be copied like any flat parameter.
func eddsaPhParams() []byte {
	p := C.signet_eddsa_params{phFlag: 1}
	return C.GoBytes(unsafe.Pointer(&p), C.int(unsafe.Sizeof(p)))
}
