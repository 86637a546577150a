#!/usr/bin/env bash
# Runs signet's whole test suite on a fresh Debian machine with Go installed: installs the
# peer tools the tests use when they are missing, then gofmt, vet, staticcheck (a pinned
# version, installed with go install when missing) and the race-enabled tests.
set -euo pipefail
cd "$(dirname "$0")/.."

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
command -v gcc >/dev/null || need+=(gcc)
command -v shasum >/dev/null || need+=(perl)          # sha512/256 reference digests
command -v script >/dev/null || need+=(bsdutils)      # a terminal for the prompt tests
command -v setsid >/dev/null || need+=(util-linux)    # no terminal at all
[ -e /usr/lib/x86_64-linux-gnu/p11-kit-proxy.so ] || [ "$(uname -m)" != x86_64 ] || need+=(p11-kit-modules)
if [ ${#need[@]} -gt 0 ]; then
  echo "scripts/test.sh: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" $unformatted >&2
  exit 1
fi
go vet ./...

# staticcheck, pinned: a new release brings new checks, which should arrive by a change here,
# not by surprise in CI. go install fetches it through the module proxy when it is missing.
staticcheck_version=v0.8.2 # staticcheck 2026.2.2
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if ! "$gobin/staticcheck" -version 2>/dev/null | grep -qF "(${staticcheck_version#v})"; then
  echo "scripts/test.sh: installing staticcheck $staticcheck_version" >&2
  go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
"$gobin/staticcheck" ./...

go test -race -count=1 ./...

# interop/: signet's Sigstore bundles against sigstore-go, signed and verified both ways. A
# module of its own, so that signet's dependencies do not grow; its go test fetches sigstore-go
# through the module proxy.
(cd interop && go vet ./... && "$gobin/staticcheck" ./... && go test -race -count=1 ./...)
