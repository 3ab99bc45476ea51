package catalog

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	defaultSuggestions = 8
	maxSuggestions     = 20
	suggestPerKind     = 3
)

// Suggest implements Service: categories and brands whose names match the
// words typed so far, then the best-matching products.
func (c *Core) Suggest(ctx context.Context, q string, limit int) ([]Suggestion, error) {
	switch {
	case limit == 0:
		limit = defaultSuggestions
	case limit < 1 || limit > maxSuggestions:
		return nil, invalidField(ErrInvalidFilter, "limit", fmt.Sprintf("limit must be between 1 and %d", maxSuggestions))
	}
	if utf8.RuneCountInString(q) > maxQueryLen {
		return nil, invalidField(ErrInvalidFilter, "q", fmt.Sprintf("the query must be at most %d characters", maxQueryLen))
	}
	ws := words(q)
	out := []Suggestion{}
	if len(ws) == 0 || (len(ws) == 1 && utf8.RuneCountInString(ws[0]) < minPrefixLen) {
		return out, nil
	}
	typing := !endsInSeparator(q)
	return cached(ctx, c, fmt.Sprintf("suggest:%d:%t:%s", limit, typing, strings.Join(ws, " ")), func(ctx context.Context) ([]Suggestion, error) {
		t, err := c.tree(ctx)
		if err != nil {
			return nil, err
		}
		var cats []Suggestion
		var walk func(parent string)
		walk = func(parent string) {
			for _, id := range t.children[parent] {
				cat := t.byID[id]
				if len(cats) < suggestPerKind && matchesWords(ws, typing, cat.Name) {
					cats = append(cats, Suggestion{Kind: "category", Text: strings.Join(t.pathNames(id), " › "), Value: cat.Slug})
				}
				walk(id)
			}
		}
		walk("")
		out = append(out, cats...)
		brands, err := c.brands(ctx)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, b := range brands { // most products first
			if n < suggestPerKind && b.Key != "" && matchesWords(ws, typing, b.Label) {
				out = append(out, Suggestion{Kind: "brand", Text: b.Label, Value: b.Key})
				n++
			}
		}
		if len(out) >= limit {
			return out[:limit], nil
		}
		// Products only: the facets a listing computes are not needed here.
		l, err := c.resolve(ctx, ListQuery{Q: q, PageSize: limit - len(out)})
		if err != nil {
			return nil, err
		}
		l.q.Limit = l.pageSize
		rows, _, _, err := c.query(ctx, l, false)
		if err != nil {
			return nil, fmt.Errorf("suggest products: %w", err)
		}
		for _, p := range rows {
			out = append(out, Suggestion{Kind: "product", Text: p.Title, Value: p.Slug})
		}
		return out, nil
	})
}
