package evidence

// CERequirement is one of the five Cyber Essentials technical
// requirements, as the mapping tables name it.
type CERequirement struct {
	// ID is how controls and self-assessment questions cite it:
	// "firewalls".
	ID string
	// Title is how the Cyber Essentials table names it: the Group of its
	// rows ("Firewalls").
	Title string
	// Text says in a sentence what it asks.
	Text string
}

// CERequirements returns the five Cyber Essentials requirements in the
// order the requirements document gives them, as the Cyber Essentials
// table lists them.
func CERequirements() []CERequirement {
	out := make([]CERequirement, len(ceRequirements))
	for i, r := range ceRequirements {
		out[i] = CERequirement{ID: r.ID, Title: r.Title, Text: r.Text}
	}
	return out
}

// CompareItems orders DSPT item numbers and Cyber Essentials question
// numbers as the mapping tables do: 6.2.1 before 6.10.1, A6.4 before A6.5,
// a whole standard ("Standard 7") after its numbered items, and an empty
// number last. It returns -1, 0 or +1, for slices.SortFunc.
func CompareItems(a, b string) int { return compareItems(a, b) }
