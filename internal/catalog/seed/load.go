package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
)

// DefaultProducts is what the embedded mode seeds on first start.
const DefaultProducts = 2000

// Options says what to load.
type Options struct {
	Products  int   // how many products
	First     int   // the number of the first product: load more with First = products already loaded
	Seed      int64 // the same seed builds the same catalogue (1 when 0)
	BatchSize int   // products per transaction (1000)
	// Stock receives each batch's opening stock after it is stored, for
	// inventory to set on-hand; an error stops the load.
	Stock func(ctx context.Context, stock []Stock) error
	// Progress is told how many products are stored so far.
	Progress func(done int)
}

// Result tells what a load did.
type Result struct {
	Products int
	Variants int
	Elapsed  time.Duration
}

// Load stores the categories and collections of opts.Seed and then its
// products numbered First to First+Products-1, in batches: generation of
// the next batch overlaps the writing of the last, and memory stays bounded
// whatever the count. It writes behind Core's back: call Core.Changed
// afterwards if one is serving.
func Load(ctx context.Context, st *catalogdb.Store, opts Options) (Result, error) {
	start := time.Now()
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	g := NewGenerator(opts.Seed)
	if err := st.SaveTaxonomy(ctx, g.Categories(), g.Collections()); err != nil {
		return Result{}, fmt.Errorf("seed taxonomy: %w", err)
	}
	type batch struct {
		ws    []catalog.ProductWrite
		stock []Stock
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 2)
	go func() {
		defer close(batches)
		end := opts.First + opts.Products
		for from := opts.First; from < end; from += opts.BatchSize {
			var b batch
			now := time.Now().UTC().Truncate(time.Microsecond)
			for i := from; i < min(from+opts.BatchSize, end); i++ {
				w, s := g.Product(i)
				// Loaded now, whenever the shop says it was created: a
				// running Core's listing index follows updated_at.
				w.Product.UpdatedAt = now
				b.ws = append(b.ws, w)
				b.stock = append(b.stock, s...)
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	var res Result
	for b := range batches {
		if err := st.BulkInsert(ctx, b.ws); err != nil {
			return res, fmt.Errorf("seed products %d+: %w", opts.First+res.Products, err)
		}
		if opts.Stock != nil {
			if err := opts.Stock(ctx, b.stock); err != nil {
				return res, fmt.Errorf("seed stock: %w", err)
			}
		}
		res.Products += len(b.ws)
		res.Variants += len(b.stock)
		if opts.Progress != nil {
			opts.Progress(res.Products)
		}
	}
	res.Elapsed = time.Since(start)
	return res, ctx.Err()
}

// LoadIfEmpty loads when the store has no products yet, as the embedded
// mode does on its first start; loaded says whether it did.
func LoadIfEmpty(ctx context.Context, st *catalogdb.Store, opts Options) (loaded bool, res Result, err error) {
	n, err := st.ProductCount(ctx)
	if err != nil || n > 0 {
		return false, Result{}, err
	}
	res, err = Load(ctx, st, opts)
	return err == nil, res, err
}
