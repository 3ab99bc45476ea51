package catalog

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

func (c *Core) tree(ctx context.Context) (*tree, error) {
	return memoized(ctx, c, "tree", func(ctx context.Context) (*tree, error) {
		cats, err := c.store.Categories(ctx)
		if err != nil {
			return nil, fmt.Errorf("categories: %w", err)
		}
		return newTree(cats), nil
	})
}

func (c *Core) collections(ctx context.Context) ([]Collection, error) {
	return memoized(ctx, c, "collections", func(ctx context.Context) ([]Collection, error) {
		cols, err := c.store.Collections(ctx)
		if err != nil {
			return nil, fmt.Errorf("collections: %w", err)
		}
		return cols, nil
	})
}

func (c *Core) vocabulary(ctx context.Context) (*vocabulary, error) {
	return memoized(ctx, c, "vocabulary", func(ctx context.Context) (*vocabulary, error) {
		toks, err := c.store.Vocabulary(ctx)
		if err != nil {
			return nil, fmt.Errorf("vocabulary: %w", err)
		}
		return newVocabulary(toks), nil
	})
}

func (c *Core) brands(ctx context.Context) ([]KeyCount, error) {
	return memoized(ctx, c, "brands", func(ctx context.Context) ([]KeyCount, error) {
		return c.store.Brands(ctx)
	})
}

// ListProducts implements Service.
func (c *Core) ListProducts(ctx context.Context, lq ListQuery) (ProductPage, error) {
	l, err := c.resolve(ctx, lq)
	if err != nil {
		return ProductPage{}, err
	}
	return cached(ctx, c, c.listKey(l, lq), func(ctx context.Context) (ProductPage, error) {
		return c.list(ctx, l)
	})
}

// listKey names a listing in the shared cache. The signature is hashed
// with SHA-256, not a fast hash: a query crafted to collide with a popular
// listing would otherwise poison its cached page.
func (c *Core) listKey(l *listing, lq ListQuery) string {
	sum := sha256.Sum256([]byte(l.sig))
	return fmt.Sprintf("list:%x:%d:%s", sum[:16], l.pageSize, lq.PageToken)
}

func (c *Core) list(ctx context.Context, l *listing) (ProductPage, error) {
	rows, counts, total, err := c.query(ctx, l, true)
	if err != nil {
		return ProductPage{}, err
	}
	page := ProductPage{Items: make([]ProductSummary, 0, len(rows)), Total: total, Facets: c.facets(l, counts)}
	if len(rows) > l.pageSize {
		last := rows[l.pageSize-1]
		page.NextPageToken = encodeToken(l.sig, Cursor{Key: last.Key, ID: last.ID})
		rows = rows[:l.pageSize]
	}
	for _, r := range rows {
		s := r.ProductSummary
		if cat, ok := l.tree.byID[s.Category]; ok {
			s.Category = cat.Slug
		}
		if s.Price.Currency == "" { // a draft without variants has no price yet
			s.Price.Currency = c.opts.Currency
		}
		page.Items = append(page.Items, s)
	}
	return page, nil
}

// query runs a listing on the in-memory index when it is there, otherwise
// on the store; facets and total are left out unless asked for.
func (c *Core) query(ctx context.Context, l *listing, facets bool) ([]Listed, FacetCounts, int, error) {
	if ix := c.listingIndex(ctx); ix != nil {
		rows, counts, total := ix.query(l.q)
		return rows, counts, total, nil
	}
	rows, err := c.store.List(ctx, l.q)
	if err != nil {
		return nil, FacetCounts{}, 0, fmt.Errorf("list products: %w", err)
	}
	if !facets {
		return rows, FacetCounts{}, 0, nil
	}
	counts, err := c.store.Facets(ctx, l.q)
	if err != nil {
		return nil, FacetCounts{}, 0, fmt.Errorf("facets: %w", err)
	}
	total, err := c.total(ctx, l, counts)
	return rows, counts, total, err
}

// total counts the matches. A product has exactly one brand, so when no
// brand filter is set the brand facet's counts already add up to it.
func (c *Core) total(ctx context.Context, l *listing, counts FacetCounts) (int, error) {
	if len(l.q.Brands) == 0 {
		n := 0
		for _, kc := range counts.Brand {
			n += kc.Count
		}
		return n, nil
	}
	n, err := c.store.Count(ctx, l.q)
	if err != nil {
		return 0, fmt.Errorf("count products: %w", err)
	}
	return n, nil
}

// Product implements Service: active products only, with live availability.
func (c *Core) Product(ctx context.Context, idOrSlug string) (Product, error) {
	if _, err := ids.Parse(idOrSlug); err != nil && validSlug("id", idOrSlug) != nil {
		return Product{}, ErrProductNotFound // and no cache key made of arbitrary input
	}
	gen := c.generation(ctx)
	p, ok := c.hotProds.get(gen, idOrSlug)
	if !ok || gen == "" {
		var err error
		p, err = cached(ctx, c, "product:"+idOrSlug, func(ctx context.Context) (Product, error) {
			p, err := c.load(ctx, idOrSlug)
			if err != nil {
				return Product{}, err
			}
			if p.Status != StatusActive {
				return Product{}, ErrProductNotFound
			}
			p.Variants = slices.DeleteFunc(p.Variants, func(v Variant) bool { return v.Archived })
			return c.present(ctx, p)
		})
		if err != nil {
			return Product{}, err
		}
		if gen != "" {
			c.hotProds.put(gen, idOrSlug, p)
		}
	}
	p.Variants = slices.Clone(p.Variants) // the hot copy is shared: availability goes on a copy
	c.withAvailability(ctx, &p)
	return p, nil
}

// AdminProduct implements Service: any status, never cached.
func (c *Core) AdminProduct(ctx context.Context, id string) (Product, error) {
	p, err := c.load(ctx, id)
	if err != nil {
		return Product{}, err
	}
	return c.present(ctx, p)
}

func (c *Core) load(ctx context.Context, idOrSlug string) (Product, error) {
	if id, err := ids.Parse(idOrSlug); err == nil {
		return c.store.Product(ctx, id)
	}
	if validSlug("id", idOrSlug) != nil {
		return Product{}, ErrProductNotFound
	}
	return c.store.ProductBySlug(ctx, idOrSlug)
}

// present completes a stored product for callers: the category path and the
// price range.
func (c *Core) present(ctx context.Context, p Product) (Product, error) {
	t, err := c.tree(ctx)
	if err != nil {
		return Product{}, err
	}
	return presentWith(t, p), nil
}

func priceRange(vs []Variant) *PriceRange {
	var r *PriceRange
	for _, v := range vs {
		if v.Archived {
			continue
		}
		if r == nil {
			r = &PriceRange{Min: v.Price, Max: v.Price}
			continue
		}
		if v.Price.Amount < r.Min.Amount {
			r.Min = v.Price
		}
		if v.Price.Amount > r.Max.Amount {
			r.Max = v.Price
		}
	}
	return r
}

// withAvailability asks inventory for live stock. A product page still
// shows when inventory is down: availability is then left out.
func (c *Core) withAvailability(ctx context.Context, p *Product) {
	if c.opts.Availability == nil || len(p.Variants) == 0 {
		return
	}
	skus := make([]string, len(p.Variants))
	for i, v := range p.Variants {
		skus[i] = v.SKU
	}
	actx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	avail, err := c.opts.Availability.Available(actx, skus)
	if err != nil {
		c.opts.Logger.WarnContext(ctx, "catalog: availability unavailable; product page without it", "product", p.ID, "err", err)
		return
	}
	for i := range p.Variants {
		n := avail[p.Variants[i].SKU] // a SKU inventory does not know has none
		p.Variants[i].Available = &n
		p.Variants[i].InStock = n > 0
	}
}

// Categories implements Service.
func (c *Core) Categories(ctx context.Context) ([]CategoryNode, error) {
	return cached(ctx, c, "categories", func(ctx context.Context) ([]CategoryNode, error) {
		t, err := c.tree(ctx)
		if err != nil {
			return nil, err
		}
		direct, err := c.store.CategoryCounts(ctx)
		if err != nil {
			return nil, fmt.Errorf("category counts: %w", err)
		}
		return t.nodes("", t.rollUp(direct)), nil
	})
}

// Collections implements Service.
func (c *Core) Collections(ctx context.Context) ([]Collection, error) {
	cols, err := c.collections(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(cols)
	slices.SortFunc(out, func(a, b Collection) int { return strings.Compare(a.Name, b.Name) })
	if out == nil {
		out = []Collection{}
	}
	return out, nil
}
