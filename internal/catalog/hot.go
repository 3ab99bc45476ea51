package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
)

// Encoded is a read as JSON, with the entity tag that names its content.
type Encoded struct {
	Body []byte
	ETag string
}

// ETag returns the strong entity tag of body: a hash, so that equal bodies
// have equal tags in every replica.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// hotCache keeps the encoded listings of the current generation in this
// process, in front of the shared cache: a hit costs a map lookup instead
// of a round trip, a copy and a hash. All its entries belong to one
// generation; a new one empties it.
type hotCache struct {
	mu    sync.RWMutex
	gen   string
	m     map[string]Encoded
	bytes int
}

// hotBudget bounds the memory the hot listings take.
const hotBudget = 32 << 20

func (h *hotCache) get(gen, key string) (Encoded, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.gen != gen {
		return Encoded{}, false
	}
	e, ok := h.m[key]
	return e, ok
}

func (h *hotCache) put(gen, key string, e Encoded) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gen != gen || h.bytes+len(e.Body) > hotBudget {
		h.gen, h.m, h.bytes = gen, map[string]Encoded{}, 0
	}
	h.m[key] = e
	h.bytes += len(e.Body) + len(key)
}

// rawKey names a listing request as it came, before it is checked: two
// spellings of one listing are two entries, which is fine for a cache.
func rawKey(lq ListQuery) string {
	var b strings.Builder
	for _, s := range []string{lq.Q, lq.Category, lq.Collection, string(lq.Status), string(lq.Sort), lq.PageToken,
		strings.Join(lq.Brands, "\x01"), strings.Join(lq.Colors, "\x01"), strings.Join(lq.Sizes, "\x01")} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	for _, p := range []*int64{lq.PriceMin, lq.PriceMax} {
		if p != nil {
			b.WriteString(strconv.FormatInt(*p, 10))
		}
		b.WriteByte(0)
	}
	b.WriteString(strconv.FormatBool(lq.InStock))
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(lq.PageSize))
	return b.String()
}

// ListProductsJSON is ListProducts encoded, for the HTTP server: from this
// process's hot listings when it can, else from the shared cache or the
// index, and never decoded on the way.
func (c *Core) ListProductsJSON(ctx context.Context, lq ListQuery) (Encoded, error) {
	gen := c.generation(ctx)
	key := rawKey(lq)
	if gen != "" {
		if e, ok := c.hot.get(gen, key); ok {
			return e, nil
		}
	}
	l, err := c.resolve(ctx, lq)
	if err != nil {
		return Encoded{}, err
	}
	body, err := c.cachedJSON(ctx, c.listKey(l, lq), func(ctx context.Context) (any, error) {
		return c.list(ctx, l)
	})
	if err != nil {
		return Encoded{}, err
	}
	e := Encoded{Body: body, ETag: ETag(body)}
	if gen != "" {
		c.hot.put(gen, key, e)
	}
	return e, nil
}

// hotProducts keeps decoded product pages of the current generation: a
// product page adds live availability to a cached page, and decoding it
// from the shared cache every time would cost more than the rest.
type hotProducts struct {
	mu  sync.RWMutex
	gen string
	m   map[string]Product
}

const hotProductsMax = 20000

func (h *hotProducts) get(gen, key string) (Product, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.gen != gen {
		return Product{}, false
	}
	p, ok := h.m[key]
	return p, ok
}

func (h *hotProducts) put(gen, key string, p Product) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gen != gen || len(h.m) >= hotProductsMax {
		h.gen, h.m = gen, map[string]Product{}
	}
	h.m[key] = p
}
