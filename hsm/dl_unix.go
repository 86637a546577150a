//go:build cgo && unix

package hsm

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

// diagnose repeats what pkcs11.New did to say why it failed: dlopen's own message, or the
// missing C_GetFunctionList entry point. The result is malloc'd, or NULL when loading works.
static char *signet_dl_diagnose(const char *path) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		return strdup(e ? e : "dlopen failed");
	}
	void *f = dlsym(h, "C_GetFunctionList");
	dlclose(h);
	if (f == NULL) {
		return strdup("it has no C_GetFunctionList: not a PKCS#11 module");
	}
	return NULL;
}
*/
import "C"

import "unsafe"

// dlDiagnose returns why a module cannot be loaded, or "" when it can.
func dlDiagnose(path string) string {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	r := C.signet_dl_diagnose(cpath)
	if r == nil {
		return ""
	}
	defer C.free(unsafe.Pointer(r))
	return C.GoString(r)
}
