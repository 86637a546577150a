/* gx_verify: GnuTLS's verdict on a certificate, for the gx campaign (verify/gx_diff_test.go).
 *
 *   gx_verify UNIXTIME ROOTS.pem INTERS.pem|- LEAF.pem CRLS.pem|- PURPOSE-OID|- HOST|- IP|- EMAIL|-
 *
 * The roots are the trust list; the leaf and the untrusted certificates are the chain given to
 * gnutls_x509_trust_list_verify_crt2 (GnuTLS has no untrusted pool: it sorts the list it is given
 * and drops what does not chain). The time of the verification is UNIXTIME, set with
 * gnutls_global_set_time_function (certtool --verify has no option for it). The CRLs are added
 * to the trust list as they are (GnuTLS's GNUTLS_TL_VERIFY_CRL would keep only those its
 * trusted CAs signed, not an intermediate's): the test gives only CRLs signed by the key of a
 * certificate of the case in the CRL issuer's name. GnuTLS matches one
 * identity a verification (a host name, an IP address or an email address), so each one given
 * is verified on its own, each with the purpose, and the statuses are or-ed. Everything is
 * asked twice: with no flags, and with GNUTLS_VERIFY_IGNORE_UNKNOWN_CRIT_EXTENSIONS (GnuTLS
 * knows neither policyMappings nor policyConstraints, so that a chain holding them is refused
 * before its other checks are looked at). Prints "status 0xN lenient 0xM: text" and exits 0,
 * or prints the GnuTLS error and exits 2.
 */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static time_t at;
static time_t fixed_time(time_t *t) {
	if (t)
		*t = at;
	return at;
}

static void die(const char *what, int ret) {
	printf("error %s: %s\n", what, gnutls_strerror(ret));
	exit(2);
}

static gnutls_datum_t file(const char *path) {
	gnutls_datum_t d = {NULL, 0};
	int ret = gnutls_load_file(path, &d);
	if (ret < 0)
		die(path, ret);
	return d;
}

static unsigned certs(const char *path, gnutls_x509_crt_t **out) {
	if (strcmp(path, "-") == 0) {
		*out = NULL;
		return 0;
	}
	gnutls_datum_t d = file(path);
	unsigned n = 0;
	int ret = gnutls_x509_crt_list_import2(out, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0)
		die(path, ret);
	gnutls_free(d.data);
	return n;
}

static unsigned verify(gnutls_x509_trust_list_t tl, gnutls_x509_crt_t *chain, unsigned n, unsigned flags,
		       const char *purpose, unsigned dt, const void *id, unsigned idlen) {
	gnutls_typed_vdata_st data[2];
	unsigned nd = 0, status = 0;
	if (purpose) {
		data[nd].type = GNUTLS_DT_KEY_PURPOSE_OID;
		data[nd].data = (unsigned char *)purpose;
		data[nd].size = 0;
		nd++;
	}
	if (id) {
		data[nd].type = dt;
		data[nd].data = (unsigned char *)id;
		data[nd].size = idlen;
		nd++;
	}
	int ret = gnutls_x509_trust_list_verify_crt2(tl, chain, n, data, nd, flags, &status, NULL);
	if (ret < 0)
		die("gnutls_x509_trust_list_verify_crt2", ret);
	return status;
}

int main(int argc, char **argv) {
	if (argc != 10) {
		fprintf(stderr, "usage: gx_verify UNIXTIME ROOTS INTERS LEAF CRLS PURPOSE HOST IP EMAIL\n");
		return 2;
	}
	at = (time_t)strtoll(argv[1], NULL, 10);
	int ret = gnutls_global_init();
	if (ret < 0)
		die("gnutls_global_init", ret);
	gnutls_global_set_time_function(fixed_time);

	gnutls_x509_crt_t *roots, *inters, *leaf;
	unsigned nroots = certs(argv[2], &roots);
	unsigned ninters = certs(argv[3], &inters);
	unsigned nleaf = certs(argv[4], &leaf);
	if (nleaf != 1) {
		printf("error %s: want one certificate\n", argv[4]);
		return 2;
	}
	gnutls_x509_trust_list_t tl;
	if ((ret = gnutls_x509_trust_list_init(&tl, 0)) < 0)
		die("gnutls_x509_trust_list_init", ret);
	if ((ret = gnutls_x509_trust_list_add_cas(tl, roots, nroots, 0)) < 0)
		die("gnutls_x509_trust_list_add_cas", ret);
	if (strcmp(argv[5], "-") != 0) {
		gnutls_datum_t d = file(argv[5]);
		gnutls_x509_crl_t *crls;
		unsigned ncrls = 0;
		if ((ret = gnutls_x509_crl_list_import2(&crls, &ncrls, &d, GNUTLS_X509_FMT_PEM, 0)) < 0)
			die(argv[5], ret);
		if ((ret = gnutls_x509_trust_list_add_crls(tl, crls, ncrls, 0, 0)) < 0)
			die("gnutls_x509_trust_list_add_crls", ret);
	}

	gnutls_x509_crt_t *chain = calloc(1 + ninters, sizeof *chain);
	chain[0] = leaf[0];
	for (unsigned i = 0; i < ninters; i++)
		chain[1 + i] = inters[i];
	unsigned n = 1 + ninters;

	const char *purpose = strcmp(argv[6], "-") ? argv[6] : NULL;
	unsigned char ip[16];
	unsigned iplen = 4;
	if (strcmp(argv[8], "-") && inet_pton(AF_INET, argv[8], ip) != 1) {
		iplen = 16;
		if (inet_pton(AF_INET6, argv[8], ip) != 1) {
			printf("error %s: not an IP address\n", argv[8]);
			return 2;
		}
	}
	unsigned status[2] = {0, 0};
	unsigned flags[2] = {0, GNUTLS_VERIFY_IGNORE_UNKNOWN_CRIT_EXTENSIONS};
	for (int f = 0; f < 2; f++) {
		unsigned asked = 0;
		if (strcmp(argv[7], "-")) {
			status[f] |= verify(tl, chain, n, flags[f], purpose, GNUTLS_DT_DNS_HOSTNAME, argv[7], 0);
			asked++;
		}
		if (strcmp(argv[8], "-")) {
			status[f] |= verify(tl, chain, n, flags[f], purpose, GNUTLS_DT_IP_ADDRESS, ip, iplen);
			asked++;
		}
		if (strcmp(argv[9], "-")) {
			status[f] |= verify(tl, chain, n, flags[f], purpose, GNUTLS_DT_RFC822NAME, argv[9], 0);
			asked++;
		}
		if (!asked)
			status[f] = verify(tl, chain, n, flags[f], purpose, 0, NULL, 0);
	}

	gnutls_datum_t out;
	if ((ret = gnutls_certificate_verification_status_print(status[0], GNUTLS_CRT_X509, &out, 0)) < 0)
		die("gnutls_certificate_verification_status_print", ret);
	printf("status 0x%x lenient 0x%x: %s\n", status[0], status[1], out.data);
	return 0;
}
