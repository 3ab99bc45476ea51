package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

const (
	defaultPageSize = 24
	maxPageSize     = 100
	maxQueryLen     = 200
	maxFilterValues = 20
)

// listing is a ListQuery checked and resolved against the catalogue.
type listing struct {
	q        Query
	pageSize int
	sig      string // canonical form of everything but the page, for tokens
	tree     *tree
	category string // the selected category id
	brands   map[string]bool
	colors   map[string]bool
	sizes    map[string]bool
}

// resolve checks lq and turns it into a store query.
func (c *Core) resolve(ctx context.Context, lq ListQuery) (*listing, error) {
	l := &listing{pageSize: lq.PageSize}
	switch {
	case lq.PageSize == 0:
		l.pageSize = defaultPageSize
	case lq.PageSize < 1 || lq.PageSize > maxPageSize:
		return nil, invalidField(ErrInvalidPageSize, "page_size", fmt.Sprintf("page_size must be between 1 and %d", maxPageSize))
	}
	q := &l.q
	q.Sort = lq.Sort
	switch q.Sort {
	case "":
		q.Sort = SortRelevance
	case SortRelevance, SortPriceAsc, SortPriceDesc, SortNewest:
	default:
		return nil, invalidField(ErrInvalidSort, "sort", fmt.Sprintf("%q is not a sort order", clip(string(lq.Sort))))
	}
	q.Status = lq.Status
	switch q.Status {
	case "":
		q.Status = StatusActive
	case StatusActive, StatusDraft, StatusArchived:
	default:
		return nil, invalidField(ErrInvalidFilter, "status", fmt.Sprintf("%q is not a status", clip(string(lq.Status))))
	}
	t, err := c.tree(ctx)
	if err != nil {
		return nil, err
	}
	l.tree = t
	if lq.Category != "" {
		cat, ok := t.find(lq.Category)
		if !ok {
			return nil, invalidField(ErrUnknownCategory, "category", fmt.Sprintf("no category %q", clip(lq.Category)))
		}
		l.category = cat.ID
		q.CategoryIDs = t.subtree(cat.ID)
	}
	if lq.Collection != "" {
		cols, err := c.collections(ctx)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(cols, func(x Collection) bool { return x.Slug == lq.Collection || x.ID == lq.Collection })
		if i < 0 {
			return nil, invalidField(ErrUnknownCollection, "collection", fmt.Sprintf("no collection %q", clip(lq.Collection)))
		}
		q.CollectionID = cols[i].ID
	}
	if q.Brands, l.brands, err = filterKeys("brand", lq.Brands); err != nil {
		return nil, err
	}
	if q.Colors, l.colors, err = filterKeys("color", lq.Colors); err != nil {
		return nil, err
	}
	if q.Sizes, l.sizes, err = filterKeys("size", lq.Sizes); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name string
		v    *int64
	}{{"price_min", lq.PriceMin}, {"price_max", lq.PriceMax}} {
		if p.v != nil && *p.v < 0 {
			return nil, invalidField(ErrInvalidFilter, p.name, p.name+" must not be negative")
		}
	}
	if lq.PriceMin != nil && lq.PriceMax != nil && *lq.PriceMin > *lq.PriceMax {
		return nil, invalidField(ErrInvalidFilter, "price_min", "price_min must not be above price_max")
	}
	q.PriceMin, q.PriceMax, q.InStock = lq.PriceMin, lq.PriceMax, lq.InStock
	if utf8.RuneCountInString(lq.Q) > maxQueryLen {
		return nil, invalidField(ErrInvalidFilter, "q", fmt.Sprintf("the query must be at most %d characters", maxQueryLen))
	}
	if strings.TrimSpace(lq.Q) != "" {
		v, err := c.vocabulary(ctx)
		if err != nil {
			return nil, err
		}
		q.Terms, q.Words = v.expand(lq.Q)
	}
	if q.Words == 0 {
		q.Terms = nil
	}
	q.PriceBuckets = c.opts.PriceBuckets
	l.sig = signature(q)
	if lq.PageToken != "" {
		cur, err := decodeToken(lq.PageToken, l.sig)
		if err != nil {
			return nil, err
		}
		q.After = &cur
	}
	q.Limit = l.pageSize + 1 // one more tells whether there is a next page
	return l, nil
}

func filterKeys(name string, vals []string) ([]string, map[string]bool, error) {
	if len(vals) > maxFilterValues {
		return nil, nil, invalidField(ErrInvalidFilter, name, fmt.Sprintf("at most %d values of %s", maxFilterValues, name))
	}
	set := map[string]bool{}
	var keys []string
	for _, v := range vals {
		k := Key(v)
		if k == "" || len(k) > 100 {
			return nil, nil, invalidField(ErrInvalidFilter, name, fmt.Sprintf("%q is not a %s", clip(v), name))
		}
		if !set[k] {
			set[k] = true
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, set, nil
}

// signature is a canonical text of a query without its page: the same
// listing gives the same signature, whatever the order of its parameters.
func signature(q *Query) string {
	var b strings.Builder
	fmt.Fprintf(&b, "s=%s|st=%s|c=%s|col=%s|b=%s|co=%s|sz=%s|stock=%t|w=%d|t=",
		q.Sort, q.Status, strings.Join(q.CategoryIDs, ","), q.CollectionID,
		strings.Join(q.Brands, ","), strings.Join(q.Colors, ","), strings.Join(q.Sizes, ","), q.InStock, q.Words)
	for _, t := range q.Terms {
		fmt.Fprintf(&b, "%s/%d/%d,", t.Token, t.Word, t.Quality)
	}
	for _, p := range []*int64{q.PriceMin, q.PriceMax} {
		b.WriteString("|p=")
		if p != nil {
			b.WriteString(strconv.FormatInt(*p, 10))
		}
	}
	return b.String()
}

const tokenVersion = 1

// encodeToken makes the opaque page token: a version, a hash of the query
// it belongs to, and the keyset position (sort key and id) to continue after.
func encodeToken(sig string, cur Cursor) string {
	h := sha256.Sum256([]byte(sig))
	b := make([]byte, 0, 1+8+binary.MaxVarintLen64+len(cur.ID))
	b = append(b, tokenVersion)
	b = append(b, h[:8]...)
	b = binary.AppendVarint(b, cur.Key)
	b = append(b, cur.ID...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(tok, sig string) (Cursor, error) {
	bad := func(why string) (Cursor, error) {
		return Cursor{}, invalidField(ErrInvalidPageToken, "page_token", why)
	}
	if len(tok) > 200 {
		return bad("the page_token is too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 10 || b[0] != tokenVersion {
		return bad("the page_token is malformed")
	}
	h := sha256.Sum256([]byte(sig))
	if string(b[1:9]) != string(h[:8]) {
		return bad("the page_token belongs to another query; start again without it")
	}
	key, n := binary.Varint(b[9:])
	if n <= 0 {
		return bad("the page_token is malformed")
	}
	id, err := ids.Parse(string(b[9+n:]))
	if err != nil {
		return bad("the page_token is malformed")
	}
	return Cursor{Key: key, ID: id}, nil
}
