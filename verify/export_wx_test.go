package verify

// MatchesHostForTest is checkNames' match of a server name against dNSNames, for the peer-name
// differential (wx_names_test.go).
func MatchesHostForTest(dns []string, host string) bool { return matchesHost(dns, host) }
