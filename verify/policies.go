package verify

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
)

// Certificate policies: RFC 5280 6.1.2-6.1.5 with the valid_policy_tree kept as the graph of
// RFC 9618, whose size grows with the number of distinct policies per certificate instead of
// exponentially with the path length. Qualifiers are not kept: signet reports policies, not
// their notices.

const anyPolicy = "2.5.29.32.0"

type polNode struct {
	policy   string
	expected []string
	parents  map[*polNode]bool
	children map[*polNode]bool
}

func newPolNode(policy string, parents []*polNode) *polNode {
	n := &polNode{policy: policy, expected: []string{policy}, parents: map[*polNode]bool{}, children: map[*polNode]bool{}}
	for _, p := range parents {
		p.children[n] = true
		n.parents[p] = true
	}
	return n
}

type polGraph struct {
	levels []map[string]*polNode
}

func newPolGraph() *polGraph {
	return &polGraph{levels: []map[string]*polNode{{anyPolicy: newPolNode(anyPolicy, nil)}}}
}

func (g *polGraph) depth() int { return len(g.levels) - 1 }

func (g *polGraph) leaves() map[string]*polNode { return g.levels[g.depth()] }

// prune deletes, from the level above the leaves to the first, nodes without children.
func (g *polGraph) prune() {
	for d := g.depth() - 1; d >= 1; d-- {
		for k, n := range g.levels[d] {
			if len(n.children) == 0 {
				for p := range n.parents {
					delete(p.children, n)
				}
				delete(g.levels[d], k)
			}
		}
	}
}

func (g *polGraph) deleteLeaf(policy string) {
	n := g.leaves()[policy]
	if n == nil {
		return
	}
	for p := range n.parents {
		delete(p.children, n)
	}
	delete(g.leaves(), policy)
}

func policyName(oid string) string {
	if oid == anyPolicy {
		return "anyPolicy"
	}
	return oid
}

// checkPolicies runs the policy processing of RFC 5280 6.1 over the path and records the
// user-constrained policy set.
func (v *verifier) checkPolicies(e *evaluation) {
	if !e.anchored {
		e.skip(CheckPolicies, nil, "no complete chain")
		return
	}
	// The certificates processed run from the one the trust anchor issued (i = 1) to the leaf
	// (i = n); the trust anchor itself is an input, not processed.
	certs := make([]*certInfo, 0, len(e.path)-1)
	for i := len(e.path) - 2; i >= 0; i-- {
		certs = append(certs, e.path[i])
	}
	n := len(certs)
	initial := map[string]bool{}
	for _, o := range v.p.Policies {
		initial[o.String()] = true
	}
	if len(initial) == 0 {
		initial[anyPolicy] = true
	}
	if n == 0 {
		e.policies = []string{"anyPolicy"}
		e.pass(CheckPolicies, nil, "the certificate is a trust anchor: no policy processing")
		return
	}
	explicit, inhibitAny, mapping := n+1, n+1, n+1
	if v.p.RequireExplicitPolicy {
		explicit = 0
	}
	if v.p.InhibitAnyPolicy {
		inhibitAny = 0
	}
	if v.p.InhibitPolicyMapping {
		mapping = 0
	}
	g := newPolGraph()
	fail := func(ci *certInfo, rule, format string, args ...any) {
		e.fail(CheckPolicies, newRuleError(Constraint, ci.c, rule, x509.CertificateInvalidError{Cert: ci.c, Reason: x509.NoValidChains},
			format, args...))
	}
	for idx, ci := range certs {
		i := idx + 1
		c := ci.c
		var pols []string
		for _, p := range c.Policies {
			pols = append(pols, p.String())
		}
		hasExt := findExt(c, oidExtCertPolicies) != nil
		// 6.1.3 (d)
		if g != nil && hasExt {
			prev := g.levels[g.depth()]
			prevSorted := sortedNodes(prev)
			// byExpected indexes the previous level by expected policy, so that each policy
			// of the certificate finds its parents at once (RFC 9618's parent index).
			byExpected := map[string][]*polNode{}
			for _, pn := range prevSorted {
				for _, x := range pn.expected {
					byExpected[x] = append(byExpected[x], pn)
				}
			}
			g.levels = append(g.levels, map[string]*polNode{})
			cur := g.leaves()
			hasAny := false
			for _, p := range pols {
				if p == anyPolicy {
					hasAny = true
					continue
				}
				parents := byExpected[p]
				if len(parents) == 0 {
					if a := prev[anyPolicy]; a != nil {
						parents = []*polNode{a}
					}
				}
				if len(parents) > 0 && cur[p] == nil {
					cur[p] = newPolNode(p, parents)
				}
			}
			if hasAny && (inhibitAny > 0 || (i < n && ci.selfIssued)) {
				missing := map[string][]*polNode{}
				var order []string
				for _, pn := range prevSorted {
					for _, x := range pn.expected {
						if cur[x] == nil {
							if missing[x] == nil {
								order = append(order, x)
							}
							missing[x] = append(missing[x], pn)
						}
					}
				}
				for _, x := range order {
					cur[x] = newPolNode(x, missing[x])
				}
			}
			g.prune()
			if len(cur) == 0 {
				g = nil
			}
		}
		// 6.1.3 (e)
		if !hasExt {
			g = nil
		}
		// 6.1.3 (f)
		if explicit == 0 && g == nil {
			fail(ci, "rfc5280.policy-required", "%s %s: no certificate policy is valid for the path, and an explicit policy is required", roleOfIdx(i, n), Name(c))
			return
		}
		if i == n {
			break
		}
		// 6.1.4 (a), (b)
		if len(c.PolicyMappings) > 0 {
			mappings := map[string][]string{}
			var order []string
			for _, m := range c.PolicyMappings {
				iss, sub := m.IssuerDomainPolicy.String(), m.SubjectDomainPolicy.String()
				if iss == anyPolicy || sub == anyPolicy {
					fail(ci, "rfc5280.policy-mapping-any", "%s %s maps anyPolicy, which RFC 5280 6.1.4 (a) forbids", roleOfIdx(i, n), Name(c))
					return
				}
				if mappings[iss] == nil {
					order = append(order, iss)
				}
				if !slices.Contains(mappings[iss], sub) {
					mappings[iss] = append(mappings[iss], sub)
				}
			}
			if g != nil {
				if mapping > 0 {
					for _, iss := range order {
						if n := g.leaves()[iss]; n != nil {
							n.expected = mappings[iss]
						} else if a := g.leaves()[anyPolicy]; a != nil {
							var parents []*polNode
							for p := range a.parents {
								parents = append(parents, p)
							}
							nn := newPolNode(iss, sortNodes(parents))
							nn.expected = mappings[iss]
							g.leaves()[iss] = nn
						}
					}
				} else {
					for _, iss := range order {
						g.deleteLeaf(iss)
					}
					g.prune()
					if len(g.leaves()) == 0 {
						g = nil
					}
				}
			}
		}
		// 6.1.4 (h), (i), (j)
		if !ci.selfIssued {
			explicit = max(explicit-1, 0)
			mapping = max(mapping-1, 0)
			inhibitAny = max(inhibitAny-1, 0)
		}
		if (c.RequireExplicitPolicy > 0 || c.RequireExplicitPolicyZero) && c.RequireExplicitPolicy < explicit {
			explicit = c.RequireExplicitPolicy
		}
		if (c.InhibitPolicyMapping > 0 || c.InhibitPolicyMappingZero) && c.InhibitPolicyMapping < mapping {
			mapping = c.InhibitPolicyMapping
		}
		if (c.InhibitAnyPolicy > 0 || c.InhibitAnyPolicyZero) && c.InhibitAnyPolicy < inhibitAny {
			inhibitAny = c.InhibitAnyPolicy
		}
	}
	// 6.1.5 (a), (b)
	leaf := certs[n-1].c
	if explicit > 0 {
		explicit--
	}
	if leaf.RequireExplicitPolicyZero {
		explicit = 0
	}
	// 6.1.5 (g), as RFC 9618 rewrites it.
	authority := map[string]bool{}
	if g != nil {
		for d := g.depth(); d >= 1; d-- {
			for _, nd := range g.levels[d] {
				if nd.policy == anyPolicy || len(nd.parents) != 1 {
					continue
				}
				for p := range nd.parents {
					if p.policy == anyPolicy {
						authority[nd.policy] = true
					}
				}
			}
		}
		if g.leaves()[anyPolicy] != nil {
			authority[anyPolicy] = true
		}
	}
	user := map[string]bool{}
	for p := range authority {
		user[p] = true
	}
	// A user-initial-policy-set that holds anyPolicy is any-policy (RFC 5280 6.1.1 (c)),
	// whatever else it lists.
	if !initial[anyPolicy] {
		for p := range user {
			if !initial[p] {
				delete(user, p)
			}
		}
		if authority[anyPolicy] {
			for p := range initial {
				user[p] = true
			}
		}
	}
	var set []string
	for p := range user {
		set = append(set, policyName(p))
	}
	slices.Sort(set)
	e.policies = append([]string{}, set...)
	if explicit == 0 && len(user) == 0 {
		var asked []string
		for p := range initial {
			asked = append(asked, policyName(p))
		}
		slices.Sort(asked)
		e.fail(CheckPolicies, newRuleError(Constraint, leaf, "rfc5280.policy-required", x509.CertificateInvalidError{Cert: leaf, Reason: x509.NoValidChains},
			"no certificate policy acceptable to the relying party (%s) is valid for the chain, and an explicit policy is required", strings.Join(asked, ", ")))
		return
	}
	if len(set) == 0 {
		e.pass(CheckPolicies, nil, "no policy is valid for the chain; none is required")
		return
	}
	e.pass(CheckPolicies, nil, "valid for %s", strings.Join(set, ", "))
}

func roleOfIdx(i, n int) string {
	if i == n {
		return "certificate"
	}
	return "intermediate CA"
}

func sortedNodes(m map[string]*polNode) []*polNode {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*polNode, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

func sortNodes(ns []*polNode) []*polNode {
	slices.SortFunc(ns, func(a, b *polNode) int { return strings.Compare(a.policy, b.policy) })
	return ns
}

var _ = fmt.Sprintf
