package matching

import (
	"github.com/handwash/handwash/internal/zxcvbn/adjacency"
	"github.com/handwash/handwash/internal/zxcvbn/frequency"
	"github.com/handwash/handwash/internal/zxcvbn/match"
	"regexp"
	"sync"
)

func Omnimatch(password string, userInputs []string) (matches []*match.Match) {
	defaults.Do(loadDefaults)
	dictMatcher := defaultRankedDictionnaries.withDict("user_inputs", buildRankedDict(userInputs))

	matchers := []match.Matcher{
		dictMatcher,
		reverseDictionnaryMatch{dm: dictMatcher},
		l33tMatch{dm: dictMatcher, table: l33tTable},
		spatialMatch{graphs: defaultGraphs},
		repeatMatch{},
		sequenceMatch{},
		regexpMatch{regexes: defaultRegexpMatch},
		dateMatch{},
	}

	for _, m := range matchers {
		matches = append(matches, m.Matches(password)...)
	}
	match.Sort(matches)
	return matches
}

// The ranked dictionaries and keyboard graphs are built on first use (in
// the original, when the program starts), so that a program that links
// zxcvbn but does not judge a password does not hold them.
var (
	defaults                   sync.Once
	defaultRankedDictionnaries dictionaryMatch
	defaultGraphs              []*adjacency.Graph
)

func loadDefaults() {
	defaultRankedDictionnaries = loadDefaultDictionnaries()
	defaultGraphs = loadDefaultAdjacencyGraphs()
}

var (
	defaultRegexpMatch = []struct {
		Name   string
		Regexp *regexp.Regexp
	}{
		{
			Name:   "recent_year",
			Regexp: regexp.MustCompile(`19\d\d|200\d|201\d`),
		},
	}
	l33tTable = map[string][]string{
		"a": {"4", "@"},
		"b": {"8"},
		"c": {"(", "{", "[", "<"},
		"e": {"3"},
		"g": {"6", "9"},
		"i": {"1", "!", "|"},
		"l": {"1", "|", "7"},
		"o": {"0"},
		"s": {"$", "5"},
		"t": {"+", "7"},
		"x": {"%"},
		"z": {"2"},
	}
)

func loadDefaultDictionnaries() dictionaryMatch {
	rd := make(map[string]rankedDictionnary)
	for n, list := range frequency.Lists() {
		rd[n] = buildRankedDict(list)
	}
	return dictionaryMatch{
		rankedDictionaries: rd,
	}
}

func loadDefaultAdjacencyGraphs() []*adjacency.Graph {
	return []*adjacency.Graph{
		adjacency.Graphs["qwerty"],
		adjacency.Graphs["dvorak"],
		adjacency.Graphs["keypad"],
		adjacency.Graphs["mac_keypad"],
	}

}
