package handwash

// Control is one check in the catalogue: data, not code. The policy package
// loads controls from embedded YAML and judges Facts with their expressions.
type Control struct {
	ID       string   `json:"id" yaml:"id"`
	Area     Area     `json:"area" yaml:"area"`
	Severity Severity `json:"severity" yaml:"severity"`
	// Title says in a few words what good looks like ("Firewall on for every network").
	Title string `json:"title" yaml:"title"`
	// Checks says, for the --explain page, what the control looks at.
	Checks string `json:"checks" yaml:"checks"`
	// Why says in plain English why it matters to a care provider.
	Why string `json:"why" yaml:"why"`
	// Threshold states the rule enforced and where it comes from, e.g.
	// "at most 10 attempts (Cyber Essentials)".
	Threshold string `json:"threshold,omitempty" yaml:"threshold"`
	// Platforms lists the platforms the control applies to; empty means all.
	Platforms []Platform `json:"platforms,omitempty" yaml:"platforms"`
	// Applies is a CEL expression: when false the control is not_applicable.
	Applies string `json:"applies,omitempty" yaml:"applies"`
	// Pass is a CEL expression: true passes, false fails.
	Pass string `json:"pass" yaml:"pass"`
	// Message is a CEL expression giving a plain-English sentence about a
	// failure ("2 of 3 firewall profiles are off: public, domain").
	Message string `json:"message,omitempty" yaml:"message"`
	// Evidence lists CEL expressions whose values are shown as the evidence,
	// keyed by a label.
	Evidence []EvidenceExpr `json:"evidence,omitempty" yaml:"evidence"`
	// Fix gives the steps to put it right, per platform.
	Fix map[Platform]string `json:"fix" yaml:"fix"`
	// References name the guidance the control enforces.
	References []Reference `json:"references" yaml:"references"`
}

// EvidenceExpr is a labelled CEL expression whose value is recorded with a finding.
type EvidenceExpr struct {
	Label string `json:"label" yaml:"label"`
	Expr  string `json:"expr" yaml:"expr"`
}

// AppliesTo reports whether the control covers platform p.
func (c *Control) AppliesTo(p Platform) bool {
	if len(c.Platforms) == 0 {
		return true
	}
	for _, x := range c.Platforms {
		if x == p {
			return true
		}
	}
	return false
}

// Reference points to the guidance behind a control.
type Reference struct {
	// Scheme is ncsc-sbg (NCSC Small Business Guide), ce (Cyber Essentials),
	// dspt (NHS Data Security and Protection Toolkit), nao (the National Audit
	// Office's WannaCry report), cis or vendor.
	Scheme string `json:"scheme" yaml:"scheme"`
	// ID is the item within the scheme, e.g. "A7.16" or "6.2.1".
	ID string `json:"id,omitempty" yaml:"id"`
	// Text quotes or names the item.
	Text string `json:"text" yaml:"text"`
	URL  string `json:"url,omitempty" yaml:"url"`
}

// SchemeTitle names a reference scheme as people read it.
func SchemeTitle(scheme string) string {
	switch scheme {
	case "ncsc-sbg":
		return "NCSC Small Business Guide"
	case "ce":
		return "Cyber Essentials"
	case "dspt":
		return "Data Security and Protection Toolkit"
	case "nao":
		return "NAO WannaCry investigation"
	case "cis":
		return "CIS Benchmark"
	case "vendor":
		return "Vendor guidance"
	}
	return scheme
}
