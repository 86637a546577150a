#!/usr/bin/env bash
# Regenerates the fixture PKI in this directory with openssl alone, so that signet's tests read
# certificates, keys and CRLs made by another implementation. See README.md for the list.
#
# Every validity window and CRL date is fixed, so tests that pin the validation time at
# 2026-06-01T00:00:00Z keep passing forever. Keys are new on every run (and ECDSA/RSA-PSS
# signatures are randomized), so regenerating changes every file: commit them all together.
#
# Usage: bash testdata/pki/gen.sh        (needs openssl 3.0 or later)
set -euo pipefail
cd "$(dirname "$0")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export OPENSSL_CONF="$PWD/gen.cnf"
export SAN="DNS:unused.example" NC="" CADIR=""

START=20250101000000Z # default notBefore
END=20450101000000Z   # default notAfter
serial=0

rm -f ./*.pem ./*.key ./*.crl

# key NAME TYPE: a new unencrypted PKCS#8 key in NAME.key.
key() {
  case "$2" in
  p256) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$1.key" ;;
  p384) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out "$1.key" ;;
  rsa2048) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
  rsa3072) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$1.key" ;;
  ed25519) openssl genpkey -quiet -algorithm ED25519 -out "$1.key" ;;
  *) echo "gen.sh: unknown key type $2" >&2; exit 1 ;;
  esac
  chmod 0600 "$1.key"
}

# cadir NAME: the openssl ca working directory of the CA whose files are NAME.pem and NAME.key.
cadir() {
  local d="$work/ca-$1"
  if [ ! -d "$d" ]; then
    mkdir -p "$d/new"
    : >"$d/index.txt"
    echo 1000 >"$d/crlnumber"
    cp "$1.key" "$d/ca.key"
  fi
  [ -f "$1.pem" ] && cp "$1.pem" "$d/ca.pem"
  echo "$d"
}

# issue NAME ISSUER PROFILE SUBJECT [NOTBEFORE NOTAFTER]: signs NAME.key's CSR with ISSUER
# (or self-signs when ISSUER is NAME) into NAME.pem. PROFILE "v1" makes a version 1 certificate.
issue() {
  local name=$1 issuer=$2 profile=$3 subject=$4 start=${5:-$START} end=${6:-$END}
  serial=$((serial + 1))
  openssl req -new -key "$name.key" -subj "$subject" -out "$work/$name.csr"
  local ext=(-extensions "$profile")
  [ "$profile" = v1 ] && ext=()
  local self=()
  [ "$name" = "$issuer" ] && self=(-selfsign)
  CADIR=$(cadir "$issuer")
  printf '5167%012X\n' "$serial" >"$CADIR/serial"
  openssl ca -batch -notext -preserveDN "${self[@]}" "${ext[@]}" -in "$work/$name.csr" \
    -startdate "$start" -enddate "$end" -out "$name.pem" 2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
}

# revoke NAME ISSUER REASON DATE: marks NAME.pem revoked in ISSUER's database at DATE (YYMMDDHHMMSSZ).
revoke() {
  CADIR=$(cadir "$2")
  openssl ca -batch -revoke "$1.pem" -crl_reason "$3" 2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
  local s
  s=$(openssl x509 -in "$1.pem" -noout -serial | cut -d= -f2)
  # openssl records "now" as the revocation time; pin it.
  awk -F'\t' -v OFS='\t' -v s="$s" -v d="$4" '$1=="R" && $4==s { split($3, a, ","); $3=d","a[2] } { print }' \
    "$CADIR/index.txt" >"$CADIR/index.new"
  mv "$CADIR/index.new" "$CADIR/index.txt"
}

# crl ISSUER OUT THISUPDATE NEXTUPDATE [EXTSECTION]: ISSUER's CRL from its database.
crl() {
  CADIR=$(cadir "$1")
  openssl ca -gencrl -crlexts "${5:-crl_ext}" -crl_lastupdate "$3" -crl_nextupdate "$4" -out "$2" \
    2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
}

O="/O=Signet Test"

# --- trust anchors -----------------------------------------------------------------------------
key root-ca p384
issue root-ca root-ca root_ca "$O/CN=Signet Test Root CA"

# Same name as the root, another key.
key impostor-root p384
issue impostor-root impostor-root root_ca "$O/CN=Signet Test Root CA"

# --- intermediates -----------------------------------------------------------------------------
key int-ca rsa3072
issue int-ca root-ca int_ca "$O/CN=Signet Test Intermediate CA"

key nc-ca p256
issue nc-ca root-ca nc_ca "$O/CN=Signet Test Name-Constrained CA"

key nokcs-ca p256
issue nokcs-ca root-ca nokcs_ca "$O/CN=Signet Test CA Without keyCertSign"

key v1-ca p256
issue v1-ca root-ca v1 "$O/CN=Signet Test Version 1 CA"

key expired-ca p256
issue expired-ca root-ca int_ca "$O/CN=Signet Test Expired CA" 20200101000000Z 20210101000000Z

key eku-ca p256
issue eku-ca root-ca eku_ca "$O/CN=Signet Test serverAuth-only CA"

key revoked-ca p256
issue revoked-ca root-ca int_ca "$O/CN=Signet Test Revoked CA"

key mid-ca ed25519
issue mid-ca root-ca mid_ca "$O/CN=Signet Test Mid CA"
key issuing-ca p256
issue issuing-ca mid-ca int_ca "$O/CN=Signet Test Issuing CA"

# A CA under int-ca, whose pathlen:0 forbids it.
key sub-ca p256
issue sub-ca int-ca sub_ca "$O/CN=Signet Test Sub CA Beyond Path Length"

# Self-signed, with int-ca's name and another key: signs the wrong-key CRL.
key int-impostor p256
issue int-impostor int-impostor root_ca "$O/CN=Signet Test Intermediate CA"

# --- leaves under int-ca -----------------------------------------------------------------------
key server p256
SAN="DNS:server.example.com, DNS:www.example.com, IP:192.0.2.10" issue server int-ca server "$O/CN=server.example.com"

key client rsa2048
issue client int-ca client "$O/CN=Signet Test Client"

export SAN="email:release@example.com, URI:https://example.com/release-bot"
key codesign p256
issue codesign int-ca codesign "$O/CN=Signet Test Code Signer"
key codesign-rsa rsa2048
issue codesign-rsa int-ca codesign "$O/CN=Signet Test Code Signer RSA"
key codesign-ed25519 ed25519
issue codesign-ed25519 int-ca codesign "$O/CN=Signet Test Code Signer Ed25519"
key expired p256
issue expired int-ca codesign "$O/CN=Signet Test Expired Signer" 20200101000000Z 20210101000000Z
key not-yet-valid p256
issue not-yet-valid int-ca codesign "$O/CN=Signet Test Future Signer" 20400101000000Z 20440101000000Z
key revoked p256
issue revoked int-ca codesign "$O/CN=Signet Test Revoked Signer"
key critext p256
issue critext int-ca critext "$O/CN=Signet Test Critical Extension"
key codesign-nods rsa2048
issue codesign-nods int-ca codesign_nods "$O/CN=Signet Test Signer Without digitalSignature"
key kcs-leaf p256
issue kcs-leaf int-ca kcs_leaf "$O/CN=Signet Test Leaf With keyCertSign"
export SAN="DNS:unused.example"

key email p384
SAN="email:alice@example.com" issue email int-ca email "$O/CN=Alice Example"

key wrong-eku p256
SAN="DNS:wrong-eku.example.com" issue wrong-eku int-ca server "$O/CN=wrong-eku.example.com"

key empty-subject p256
issue empty-subject int-ca empty_subject "/"

# --- leaves under the other CAs ------------------------------------------------------------------
key nc-ok p256
SAN="DNS:app.nc.example.com" issue nc-ok nc-ca server "$O/CN=Signet Test NC Leaf Inside"
key nc-bad p256
SAN="DNS:app.example.org" issue nc-bad nc-ca server "$O/CN=Signet Test NC Leaf Outside"

key nokcs-leaf p256
SAN="DNS:nokcs.example.com" issue nokcs-leaf nokcs-ca server "$O/CN=nokcs.example.com"

key v1-leaf p256
SAN="DNS:v1.example.com" issue v1-leaf v1-ca server "$O/CN=v1.example.com"

key expired-ca-leaf p256
SAN="DNS:expired-ca.example.com" issue expired-ca-leaf expired-ca server "$O/CN=expired-ca.example.com"

key eku-ca-leaf p256
issue eku-ca-leaf eku-ca client_codesign "$O/CN=Signet Test Leaf Under serverAuth-only CA"

key revoked-ca-leaf p256
SAN="DNS:revoked-ca.example.com" issue revoked-ca-leaf revoked-ca server "$O/CN=revoked-ca.example.com"

key deep-leaf p256
SAN="DNS:deep.example.com" issue deep-leaf issuing-ca server "$O/CN=deep.example.com"

key pathlen-leaf p256
SAN="DNS:pathlen.example.com" issue pathlen-leaf sub-ca server "$O/CN=pathlen.example.com"

# --- CRLs --------------------------------------------------------------------------------------
CRL_THIS=20260101000000Z
CRL_NEXT=20360101000000Z
revoke revoked int-ca keyCompromise 250601000000Z
crl int-ca int-ca.crl $CRL_THIS $CRL_NEXT
crl int-ca int-ca-stale.crl 20250101000000Z 20250201000000Z
crl int-ca int-ca-future.crl 20270101000000Z 20370101000000Z
crl int-ca int-ca-critext.crl $CRL_THIS $CRL_NEXT crl_critext
cp "$(cadir int-ca)/index.txt" "$(cadir int-impostor)/index.txt"
crl int-impostor int-ca-wrongkey.crl $CRL_THIS $CRL_NEXT

revoke revoked-ca root-ca cACompromise 250701000000Z
crl root-ca root-ca.crl $CRL_THIS $CRL_NEXT
crl revoked-ca revoked-ca.crl $CRL_THIS $CRL_NEXT
crl nc-ca nc-ca.crl $CRL_THIS $CRL_NEXT
crl mid-ca mid-ca.crl $CRL_THIS $CRL_NEXT
crl issuing-ca issuing-ca.crl $CRL_THIS $CRL_NEXT

# A chain file: the server leaf followed by its intermediate, as servers send it.
cat server.pem int-ca.pem >server-chain.pem

echo "gen.sh: now refresh the copies in the certverify scripts:" \
  "go test ./cmd/signet -run TestCertVerifyScriptFixtures -update-certverify-scripts" >&2
echo "gen.sh: regenerated $(ls ./*.pem | wc -l) certificate files, $(ls ./*.key | wc -l) keys, $(ls ./*.crl | wc -l) CRLs" >&2
