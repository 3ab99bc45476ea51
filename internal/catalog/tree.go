package catalog

import (
	"slices"
	"strings"
)

// tree is the category tree, built from the flat list the store keeps.
type tree struct {
	byID     map[string]*Category
	bySlug   map[string]*Category
	children map[string][]string // parent id ("" for roots) → child ids, in order
}

func newTree(cats []Category) *tree {
	t := &tree{byID: map[string]*Category{}, bySlug: map[string]*Category{}, children: map[string][]string{}}
	for i := range cats {
		c := &cats[i]
		t.byID[c.ID] = c
		t.bySlug[c.Slug] = c
	}
	for _, c := range cats {
		parent := c.ParentID
		if _, ok := t.byID[parent]; !ok {
			parent = ""
		}
		t.children[parent] = append(t.children[parent], c.ID)
	}
	for _, ids := range t.children {
		slices.SortFunc(ids, func(a, b string) int {
			ca, cb := t.byID[a], t.byID[b]
			if ca.Position != cb.Position {
				return ca.Position - cb.Position
			}
			return strings.Compare(ca.Name, cb.Name)
		})
	}
	return t
}

// find resolves an id or a slug.
func (t *tree) find(idOrSlug string) (*Category, bool) {
	if c, ok := t.byID[idOrSlug]; ok {
		return c, true
	}
	c, ok := t.bySlug[idOrSlug]
	return c, ok
}

// ancestry returns the ids from the root down to id, id included.
func (t *tree) ancestry(id string) []string {
	var out []string
	for seen := 0; id != "" && seen <= len(t.byID); seen++ {
		c, ok := t.byID[id]
		if !ok {
			break
		}
		out = append(out, id)
		id = c.ParentID
	}
	slices.Reverse(out)
	return out
}

// pathNames returns the names from the root down to id.
func (t *tree) pathNames(id string) []string {
	anc := t.ancestry(id)
	out := make([]string, len(anc))
	for i, a := range anc {
		out[i] = t.byID[a].Name
	}
	return out
}

// subtree returns id and every category below it.
func (t *tree) subtree(id string) []string {
	out := []string{id}
	for i := 0; i < len(out); i++ {
		out = append(out, t.children[out[i]]...)
	}
	return out
}

// ref describes a category for a product.
func (t *tree) ref(id string) CategoryRef {
	c, ok := t.byID[id]
	if !ok {
		return CategoryRef{ID: id}
	}
	return CategoryRef{ID: id, Slug: c.Slug, Name: c.Name, Path: t.pathNames(id)}
}

// rollUp adds each category's count to its ancestors.
func (t *tree) rollUp(direct map[string]int) map[string]int {
	total := map[string]int{}
	for id, n := range direct {
		for _, a := range t.ancestry(id) {
			total[a] += n
		}
	}
	return total
}

// nodes builds the tree of CategoryNodes below parent.
func (t *tree) nodes(parent string, counts map[string]int) []CategoryNode {
	ids := t.children[parent]
	out := make([]CategoryNode, 0, len(ids))
	for _, id := range ids {
		out = append(out, CategoryNode{Category: *t.byID[id], ProductCount: counts[id], Children: t.nodes(id, counts)})
	}
	return out
}
