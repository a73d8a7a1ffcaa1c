package quiz

import (
	"math/rand/v2"
	"slices"
)

// Questions is how many questions one attempt at the quiz asks.
const Questions = 10

// minEach is the fewest phishing and the fewest genuine emails in a draw,
// so that answering "phishing" to everything cannot pass.
const minEach = 3

// pcgStream is the second half of the random generator's seed. It is fixed
// so that a draw depends only on the seed the caller gives.
const pcgStream = 0x68616e6477617368 // "handwash"

// Draw picks Questions items for one attempt, in random order, with at
// least three phishing and three genuine emails among them. The same items
// in the same order and the same seed give the same draw, so an attempt can
// be shown again, or marked later, from its seed alone. With fewer than
// Questions items it returns them all, shuffled. items is not changed.
func Draw(items []Item, seed uint64) []Item {
	r := rand.New(rand.NewPCG(seed, pcgStream))
	var phishing, genuine []Item
	for _, it := range items {
		if it.Answer == Genuine {
			genuine = append(genuine, it)
		} else {
			phishing = append(phishing, it)
		}
	}
	shuffle(r, phishing)
	shuffle(r, genuine)
	np, ng := min(minEach, len(phishing)), min(minEach, len(genuine))
	drawn := make([]Item, 0, Questions)
	drawn = append(drawn, phishing[:np]...)
	drawn = append(drawn, genuine[:ng]...)
	rest := slices.Concat(phishing[np:], genuine[ng:])
	shuffle(r, rest)
	drawn = append(drawn, rest[:min(len(rest), Questions-len(drawn))]...)
	shuffle(r, drawn)
	return drawn
}

func shuffle(r *rand.Rand, items []Item) {
	r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
}
