package schema

import (
	"maps"
	"slices"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// chunkSize is how many items of a list are validated at once.
const chunkSize = 256

// maxLeaves is how many errors validation collects before it stops: enough
// to pick the first few in the file, however broken the rest is.
const maxLeaves = 50

// boundedValidation validates a document with the compiled schema, but a
// chunk of each long list at a time, and stops once it has enough errors.
// The validator reports every error in full, so validating a 16 MiB list of
// wrong items in one go takes minutes and gigabytes; this way a broken
// document costs no more than a valid one.
//
// The lists split off are ones the schema describes with "items" alone (no
// minItems, maxItems, uniqueItems or prefixItems, which the Facts schema does
// not use), so validating the document with each such list empty, and then
// the list in chunks, finds exactly the errors that validating it whole
// would, with the same instance locations.
type boundedValidation struct {
	leaves []*jsonschema.ValidationError
	capped bool // stopped before validating everything
}

// list is a long list split off for validation by chunks.
type list struct {
	schema *jsonschema.Schema // the list's
	items  []any
	loc    []string
}

func (b *boundedValidation) enough() bool {
	if len(b.leaves) >= maxLeaves {
		b.capped = true
		return true
	}
	return false
}

// document validates v, a whole document, against root.
func (b *boundedValidation) document(root *jsonschema.Schema, v any) {
	var p pruner
	pruned, _ := p.prune(root, v)
	b.validate(root, pruned, nil, 0)
	b.lists(p.lists)
}

func (b *boundedValidation) lists(lists []list) {
	for _, l := range lists {
		item := concrete(l.schema).Items2020
		for start := 0; start < len(l.items) && !b.enough(); start += chunkSize {
			chunk := l.items[start:min(start+chunkSize, len(l.items))]
			p := pruner{base: l.loc}
			pruned, copied := chunk, false
			for j, x := range chunk {
				p.path = append(p.path[:0], step{index: start + j})
				if y, changed := p.prune(item, x); changed {
					if !copied {
						pruned, copied = slices.Clone(chunk), true
					}
					pruned[j] = y
				}
			}
			b.validate(l.schema, pruned, l.loc, start)
			b.lists(p.lists)
		}
	}
}

// validate validates v, which is at loc in the document, and keeps the
// errors with their locations made absolute. When v is a chunk of a list,
// base is the index of its first item.
func (b *boundedValidation) validate(s *jsonschema.Schema, v any, loc []string, base int) {
	if b.enough() {
		return
	}
	err := s.Validate(v)
	if err == nil {
		return
	}
	verr, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return
	}
	var leaves []*jsonschema.ValidationError
	collectLeaves(verr, &leaves)
	for _, e := range leaves {
		rel := e.InstanceLocation
		abs := append(slices.Clone(loc), rel...)
		if base > 0 && len(rel) > 0 {
			if i, err := strconv.Atoi(rel[0]); err == nil {
				abs[len(loc)] = strconv.Itoa(base + i)
			}
		}
		e.InstanceLocation = abs
		b.leaves = append(b.leaves, e)
	}
}

// pruner takes long lists out of a value for validation by chunks.
type pruner struct {
	base  []string // the location of the value pruned
	path  []step   // where prune is within it
	lists []list
}

// step is one step of a path: a field name, or a list index when name is "".
type step struct {
	name  string
	index int
}

// loc returns the current location in the document.
func (p *pruner) loc() []string {
	loc := slices.Clone(p.base)
	for _, s := range p.path {
		if s.name == "" {
			loc = append(loc, strconv.Itoa(s.index))
		} else {
			loc = append(loc, s.name)
		}
	}
	return loc
}

// prune returns v with every long list that s describes by its items
// replaced by an empty one, adding those lists to p.lists; changed says
// whether anything was replaced. v itself is never modified: what changes
// is copied.
func (p *pruner) prune(s *jsonschema.Schema, v any) (_ any, changed bool) {
	c := concrete(s)
	if c == nil {
		return v, false
	}
	switch x := v.(type) {
	case map[string]any:
		if c.Properties == nil {
			return v, false
		}
		var out map[string]any
		for k, y := range x {
			ps, ok := c.Properties[k]
			if !ok {
				continue // an unknown field: reported, and not looked into
			}
			p.path = append(p.path, step{name: k})
			z, ok := p.prune(ps, y)
			p.path = p.path[:len(p.path)-1]
			if ok {
				if out == nil {
					out = maps.Clone(x)
				}
				out[k] = z
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		if c.Items2020 == nil {
			return v, false
		}
		if len(x) > chunkSize {
			p.lists = append(p.lists, list{schema: s, items: x, loc: p.loc()})
			return []any{}, true
		}
		var out []any
		for i, y := range x {
			p.path = append(p.path, step{index: i})
			z, ok := p.prune(c.Items2020, y)
			p.path = p.path[:len(p.path)-1]
			if ok {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = z
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}
