#!/usr/bin/env bash
# Runs signet's whole test suite on a fresh Debian machine with Go installed: installs the
# peer tools the tests use when they are missing, then gofmt, vet, staticcheck (a pinned
# version, installed with go install when missing) and the race-enabled tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# The packages this installs when their tool is missing, each for a reason (README.md lists
# them too): openssl, coreutils (sha256sum), softhsm2, opensc (pkcs11-tool), gnutls-bin
# (p11tool, certtool, gnutls-serv), redis-server, redis-tools (redis-cli), stunnel4, socat (tls
# tunnel's peer in the tn campaign: a TLS client and server, and a backend), gcc (cgo
# for PKCS#11), perl (shasum), bsdutils (script), util-linux (setsid), openssh-client
# (ssh-keygen), minisign (minisign signatures, made and checked by the real tool), sslscan
# (the independent scanner tls audit's campaign compares its report with),
# libengine-pkcs11-openssl (libp11's pkcs11 engine: openssl s_client, req and dgst using a key on a
# token by the URI signet prints), libgnutls28-dev and pkg-config (the gx campaign builds a C
# harness on GnuTLS's library, a fourth verdict on verify's chains) and, on x86_64, p11-kit-modules (the p11-kit proxy module, the last place signet looks for a module).
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v sha256sum >/dev/null || need+=(coreutils)
command -v softhsm2-util >/dev/null || need+=(softhsm2)
command -v pkcs11-tool >/dev/null || need+=(opensc)
command -v p11tool >/dev/null || need+=(gnutls-bin)   # p11tool, certtool for Ed25519 CMS, gnutls-serv
command -v gnutls-serv >/dev/null || need+=(gnutls-bin) # a peer server for tls audit
command -v redis-server >/dev/null || need+=(redis-server) # the service behind tls tunnel
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v stunnel4 >/dev/null || need+=(stunnel4)     # tls tunnel's peer
command -v socat >/dev/null || need+=(socat)           # tls tunnel's peer: TLS client, TLS server, backend (the tn campaign)
command -v gcc >/dev/null || need+=(gcc)
command -v pkg-config >/dev/null || need+=(pkg-config) # the GnuTLS harness's build flags (gx campaign)
pkg-config --exists gnutls 2>/dev/null || need+=(libgnutls28-dev) # GnuTLS's headers for the gx campaign's harness
command -v shasum >/dev/null || need+=(perl)          # sha512/256 reference digests
command -v script >/dev/null || need+=(bsdutils)      # a terminal for the prompt tests
command -v setsid >/dev/null || need+=(util-linux)    # no terminal at all
command -v ssh-keygen >/dev/null || need+=(openssh-client) # OpenSSH keys as ssh-keygen writes them
command -v minisign >/dev/null || need+=(minisign)     # minisign signatures and public keys
command -v sslscan >/dev/null || need+=(sslscan)       # a second scanner for tls audit's campaign
compgen -G '/usr/lib/*/engines-3/pkcs11.so' >/dev/null || need+=(libengine-pkcs11-openssl) # openssl with a token key
[ -e /usr/lib/x86_64-linux-gnu/p11-kit-proxy.so ] || [ "$(uname -m)" != x86_64 ] || need+=(p11-kit-modules)
if [ ${#need[@]} -gt 0 ]; then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "scripts/test.sh: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  install() { DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
  # apt-get update only when the package lists cannot serve the install (a fresh image has
  # none; a machine that has them is not made to fetch them again).
  if ! install 2>/dev/null; then
    echo "scripts/test.sh: apt-get update, then installing again" >&2
    $sudo apt-get update -qq
    install
  fi
fi

# Every step says when it ends and how long it took, on stderr: "scripts/test.sh: go vet: ok (6s)".
t0=$SECONDS
say() { echo "scripts/test.sh: $*" >&2; }

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" $unformatted >&2
  exit 1
fi

# staticcheck, pinned: a new release brings new checks, which should arrive by a change here,
# not by surprise in CI. go install fetches it through the module proxy when it is missing.
staticcheck_version=v0.8.2 # staticcheck 2026.2.2
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if ! "$gobin/staticcheck" -version 2>/dev/null | grep -qF "(${staticcheck_version#v})"; then
  say "installing staticcheck $staticcheck_version"
  go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi

# The static checks (go vet, staticcheck, of both modules) and then the interop/ module's
# tests run beside signet's tests: those leave a core idle at times (a package waiting for its
# peers, a single slow test at the end), and these fill it. Their output is kept and shown
# whole at the end if they fail; a line says when each is done.
#
# interop/: signet's Sigstore bundles against sigstore-go, signed and verified both ways, and
# --profile webpki against zlint's Baseline Requirements lints. A module of its own, so that
# signet's dependencies do not grow; its go test fetches sigstore-go and zlint through the
# module proxy.
beside_log=$(mktemp)
exec 3>&2 # the terminal's stderr, for the lines that say a step ended
beside() {
  local s=$SECONDS rc=0
  if go vet ./... && "$gobin/staticcheck" ./... && (cd interop && go vet ./... && "$gobin/staticcheck" ./...); then
    say "go vet, staticcheck (both modules): ok ($((SECONDS - s))s)" 2>&3
  else
    rc=1
  fi
  s=$SECONDS
  # When a held signal ends the process is a matter of signal delivery, which the race
  # detector changes (it delivers a signal a thread sends itself late): run without it.
  if go test -count=1 -run '^TestHeldSignalEndsAtOnce$' ./hsm; then
    say "hsm signal delivery without -race: ok ($((SECONDS - s))s)" 2>&3
  else
    rc=1
  fi
  s=$SECONDS
  if (cd interop && go test -race -count=1 ./...); then
    say "interop/ (sigstore-go, zlint): ok ($((SECONDS - s))s)" 2>&3
  else
    rc=1
  fi
  return $rc
}
beside >"$beside_log" 2>&1 &
beside_pid=$!
trap 'kill "$beside_pid" 2>/dev/null || true; rm -f "$beside_log"' EXIT

# One line per package as it finishes (go test alone prints them in package order, so a slow
# package early in the list hid the others' results for minutes), and the whole output of a
# package that fails. GORACE: a race-enabled binary otherwise sleeps a second at every exit,
# and the CLI tests start signet hundreds of times.
say "go test -race ./... (one line per package as it finishes; go vet, staticcheck and interop/ run beside it)"
export GORACE="${GORACE:-atexit_sleep_ms=0}"
tests_ok=true
go test -race -count=1 -timeout 25m -json ./... | awk '
  function field(name,   re, v) {
    re = "\"" name "\":\"([^\"\\\\]|\\\\.)*\""
    if (!match($0, re)) return ""
    v = substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
    gsub(/\\n/, "\n", v); gsub(/\\t/, "\t", v); gsub(/\\"/, "\"", v); gsub(/\\u003c/, "<", v); gsub(/\\u003e/, ">", v); gsub(/\\u0026/, "\\&", v); gsub(/\\\\/, "\\", v)
    return v
  }
  {
    pkg = field("Package"); if (pkg == "") { pkg = field("ImportPath"); sub(/ .*/, "", pkg) }
    act = field("Action")
  }
  act == "output" || act == "build-output" {
    o = field("Output"); out[pkg] = out[pkg] o
    t = field("Test"); if (t != "") tout[pkg, t] = tout[pkg, t] o
    next
  }
  (act == "pass" || act == "fail" || act == "skip") && field("Test") != "" {
    t = field("Test")
    if (act == "fail") fails = fails "=== " pkg " " t "\n" tout[pkg, t]
    delete tout[pkg, t]
    next
  }
  (act == "pass" || act == "fail" || act == "skip") && field("Test") == "" {
    if (act == "fail") { printf "%s", out[pkg]; failed++ }
    el = ""; if (match($0, /"Elapsed":[0-9.]+/)) el = sprintf(" %.1fs", substr($0, RSTART + 10, RLENGTH - 10) + 0)
    if (act == "skip") act = "-"
    printf "%-4s %s%s\n", act, pkg, el
    fflush()
    delete out[pkg]
  }
  END {
    if (fails != "") printf "\n--- the failed tests, each with its own output (a parent test fails with its subtests):\n%s", fails
    if (failed) printf "%d package(s) failed\n", failed
  }
' || tests_ok=false
if $tests_ok; then
  say "go test -race ./...: ok ($((SECONDS - t0))s since the start)"
else
  say "go test -race ./...: FAILED (above)"
fi

beside_ok=true
wait "$beside_pid" || beside_ok=false
$beside_ok || { cat "$beside_log" >&2; say "go vet, staticcheck or interop/ failed (above)"; }
say "done in $((SECONDS - t0))s"
$tests_ok && $beside_ok
