//go:build cgo

package hsm

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// A PKCS#11 module may be initialised only once per process (a second C_Initialize fails with
// CKR_CRYPTOKI_ALREADY_INITIALIZED), and a user logs in to a token once for all sessions of the
// process. So loaded modules live in a registry keyed by the module file's real path, with a
// reference count: every Token holds one reference, and the last Close logs out, finalises
// the module and unloads it. A later Open initialises it again, which is when SoftHSM re-reads
// SOFTHSM2_CONF: tests that give each test its own token directory must close every Token
// before the next test opens one.
var registry struct {
	sync.Mutex
	modules map[string]*module
}

type module struct {
	path     string // as the caller named it, for messages
	key      string // real path, the registry key
	ctx      *pkcs11.Ctx
	info     ModuleInfo
	refs     int  // guarded by registry
	finalize bool // we initialised the module, so we finalise it

	mu    sync.Mutex // guards slots
	slots map[uint]*slotState
}

// slotState is what the process shares about one token: how many Tokens use it and whether
// the user is logged in (a login covers every session of the process).
type slotState struct {
	refs     int
	loggedIn bool
	loginMu  sync.Mutex // serialises the login itself, which may prompt
}

// acquireModule loads and initialises a module, or returns the loaded one with one more
// reference. Pair it with release.
func acquireModule(path string) (*module, error) {
	if err := checkModuleFile(path); err != nil {
		return nil, err
	}
	key, err := filepath.EvalSymlinks(path)
	if err != nil {
		key = path
	}
	if abs, err := filepath.Abs(key); err == nil {
		key = abs
	}
	registry.Lock()
	defer registry.Unlock()
	if m := registry.modules[key]; m != nil {
		m.refs++
		return m, nil
	}
	ctx := pkcs11.New(path)
	if ctx == nil {
		reason := dlDiagnose(path)
		if reason == "" {
			reason = "not a loadable PKCS#11 module"
		}
		return nil, newError(ErrModule, nil, fmt.Sprintf("module %s: cannot load: %s", path, reason))
	}
	m := &module{path: path, key: key, ctx: ctx, refs: 1, finalize: true, slots: map[uint]*slotState{}}
	if err := ctx.Initialize(); err != nil {
		var ckr pkcs11.Error
		if errors.As(err, &ckr) && ckr == pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED {
			// Someone else in this process initialised it (another library, or a test
			// using the binding directly): use it and leave finalising to them.
			m.finalize = false
		} else {
			ctx.Destroy()
			msg := fmt.Sprintf("module %s: initialisation failed", path)
			if strings.Contains(strings.ToLower(filepath.Base(key)), "softhsm") {
				msg += "; for SoftHSM check SOFTHSM2_CONF and that its directories.tokendir exists"
			}
			return nil, newError(ErrModule, err, msg)
		}
	}
	info, err := ctx.GetInfo()
	if err != nil {
		m.close()
		return nil, newError(ErrModule, err, fmt.Sprintf("module %s: C_GetInfo", path))
	}
	m.info = ModuleInfo{
		Path:         path,
		Manufacturer: trimPadding(info.ManufacturerID),
		Description:  trimPadding(info.LibraryDescription),
		VersionMajor: info.LibraryVersion.Major,
		VersionMinor: info.LibraryVersion.Minor,
		Cryptoki:     fmt.Sprintf("%d.%d", info.CryptokiVersion.Major, info.CryptokiVersion.Minor),
	}
	if registry.modules == nil {
		registry.modules = map[string]*module{}
	}
	registry.modules[key] = m
	return m, nil
}

// release drops one reference; the last one finalises and unloads the module.
func (m *module) release() error {
	registry.Lock()
	defer registry.Unlock()
	m.refs--
	if m.refs > 0 {
		return nil
	}
	delete(registry.modules, m.key)
	return m.close()
}

func (m *module) close() error {
	var err error
	if m.finalize {
		if e := m.ctx.Finalize(); e != nil {
			err = newError(ErrModule, e, fmt.Sprintf("module %s: C_Finalize", m.path))
		}
	}
	m.ctx.Destroy()
	return err
}

// slot returns the shared state of a slot and counts one more user of it.
func (m *module) acquireSlot(id uint) *slotState {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.slots[id]
	if s == nil {
		s = &slotState{}
		m.slots[id] = s
	}
	s.refs++
	return s
}

// releaseSlot counts one user less and reports whether it was the last, so the caller logs out.
func (m *module) releaseSlot(id uint) (last, loggedIn bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.slots[id]
	if s == nil {
		return true, false
	}
	s.refs--
	if s.refs > 0 {
		return false, false
	}
	delete(m.slots, id)
	return true, s.loggedIn
}

// trimPadding removes the blank (and, from some modules, NUL) padding of CK_INFO fields.
func trimPadding(s string) string { return strings.TrimRight(s, " \x00") }

// tokens lists every slot of the module with its token.
func (m *module) tokens() ([]TokenInfo, error) {
	ids, err := m.ctx.GetSlotList(false)
	if err != nil {
		return nil, newError(ErrModule, err, fmt.Sprintf("module %s: C_GetSlotList", m.path))
	}
	out := make([]TokenInfo, 0, len(ids))
	for _, id := range ids {
		t, err := m.tokenInfo(id)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// tokenInfo reads a slot's and its token's information.
func (m *module) tokenInfo(id uint) (TokenInfo, error) {
	si, err := m.ctx.GetSlotInfo(id)
	if err != nil {
		return TokenInfo{}, newError(ErrModule, err, fmt.Sprintf("module %s: C_GetSlotInfo for slot %d", m.path, id))
	}
	t := TokenInfo{
		SlotID:           id,
		SlotDescription:  trimPadding(si.SlotDescription),
		SlotManufacturer: trimPadding(si.ManufacturerID),
		Present:          si.Flags&pkcs11.CKF_TOKEN_PRESENT != 0,
	}
	if !t.Present {
		return t, nil
	}
	ti, err := m.ctx.GetTokenInfo(id)
	if err != nil {
		var ckr pkcs11.Error
		if errors.As(err, &ckr) && (ckr == pkcs11.CKR_TOKEN_NOT_PRESENT || ckr == pkcs11.CKR_TOKEN_NOT_RECOGNIZED) {
			t.Present = false
			return t, nil
		}
		return TokenInfo{}, newError(ErrToken, err, fmt.Sprintf("module %s: C_GetTokenInfo for slot %d", m.path, id))
	}
	t.Label = trimPadding(ti.Label)
	t.Manufacturer = trimPadding(ti.ManufacturerID)
	t.Model = trimPadding(ti.Model)
	t.Serial = trimPadding(ti.SerialNumber)
	t.MinPINLen, t.MaxPINLen = ti.MinPinLen, ti.MaxPinLen
	t.Flags = tokenFlags(ti.Flags)
	return t, nil
}

func tokenFlags(f uint) TokenFlags {
	return TokenFlags{
		Initialized:       f&pkcs11.CKF_TOKEN_INITIALIZED != 0,
		LoginRequired:     f&pkcs11.CKF_LOGIN_REQUIRED != 0,
		UserPINSet:        f&pkcs11.CKF_USER_PIN_INITIALIZED != 0,
		PINCountLow:       f&pkcs11.CKF_USER_PIN_COUNT_LOW != 0,
		PINFinalTry:       f&pkcs11.CKF_USER_PIN_FINAL_TRY != 0,
		PINLocked:         f&pkcs11.CKF_USER_PIN_LOCKED != 0,
		PINToBeChanged:    f&pkcs11.CKF_USER_PIN_TO_BE_CHANGED != 0,
		WriteProtected:    f&pkcs11.CKF_WRITE_PROTECTED != 0,
		ProtectedAuthPath: f&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0,
	}
}
