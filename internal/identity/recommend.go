package identity

import (
	"context"
	"math"
	"slices"
	"sort"
)

// How recommendations weigh the evidence. Co-purchase counts more than
// co-view (a purchase is a stronger signal than a glance); a shopper's own
// purchases and carts seed more strongly than views, recent views more than
// old ones; products popular in favourite categories come after anything
// drawn from behaviour, and bestsellers fill what is left.
const (
	weightBoughtTogether = 3.0
	weightViewedTogether = 1.0
	weightCategory       = 0.2
	weightBestseller     = 0.01

	seedPurchase = 3.0
	seedCart     = 2.0
	seedView     = 1.0

	maxSeeds          = 30
	maxRecentlyViewed = 12
)

// Recommendations suggests products for the caller (or the guest with
// deviceID):
//
//  1. seeds: the shopper's purchases, carts and views, the recent ones
//     weighted more;
//  2. items bought together with the seeds, and viewed together with them,
//     each pair's count normalised by how common both products are (cosine
//     similarity over shoppers), so that a bestseller does not pair with
//     everything;
//  3. popular products of the favourite categories (the preferences, and
//     the categories the shopper browses most);
//  4. bestsellers, to fill the list — and alone for a shopper with no
//     history (strategy "bestsellers").
//
// Products already bought or in RecentlyViewed are not suggested again.
func (c *Core) Recommendations(ctx context.Context, deviceID string, limit int) (Recommendations, error) {
	if limit <= 0 {
		limit = 12
	}
	limit = min(limit, 50)
	out := Recommendations{Items: []Recommendation{}, RecentlyViewed: []string{}, Strategy: "personal"}
	who := actor(ctx, deviceID)
	var history []Event
	var favourites []string
	if who != "" {
		var err error
		if history, err = c.store.RecentEvents(ctx, who, 300); err != nil {
			return out, err
		}
		if p, err := caller(ctx); err == nil {
			if a, err := c.store.Account(ctx, p.UserID); err == nil {
				favourites = a.Preferences.FavouriteCategories
			}
		}
	}

	seeds := map[string]float64{}
	var seedOrder []string
	exclude := map[string]bool{}
	catCount := map[string]int{}
	views := 0
	for _, e := range history {
		if e.Category != "" {
			catCount[e.Category]++
		}
		if e.ProductID == "" {
			continue
		}
		var w float64
		switch e.Kind {
		case EventPurchase:
			w = seedPurchase
			exclude[e.ProductID] = true
		case EventCart:
			w = seedCart
		case EventView:
			// The n-th most recent view weighs 1/(1+n/5).
			w = seedView / (1 + float64(views)/5)
			views++
			if !slices.Contains(out.RecentlyViewed, e.ProductID) && len(out.RecentlyViewed) < maxRecentlyViewed {
				out.RecentlyViewed = append(out.RecentlyViewed, e.ProductID)
				exclude[e.ProductID] = true
			}
		default:
			continue
		}
		if _, ok := seeds[e.ProductID]; !ok {
			if len(seeds) == maxSeeds {
				continue
			}
			seedOrder = append(seedOrder, e.ProductID)
		}
		seeds[e.ProductID] = max(seeds[e.ProductID], w)
	}

	type cand struct {
		score  float64
		best   float64
		reason string
	}
	cands := map[string]*cand{}
	add := func(id string, s float64, reason string) {
		if exclude[id] || s <= 0 {
			return
		}
		x := cands[id]
		if x == nil {
			x = &cand{}
			cands[id] = x
		}
		x.score += s
		if s > x.best {
			x.best, x.reason = s, reason
		}
	}

	if len(seeds) > 0 {
		for _, k := range []struct {
			kind   EventKind
			weight float64
			reason string
		}{{EventPurchase, weightBoughtTogether, "bought_together"}, {EventView, weightViewedTogether, "viewed_together"}} {
			pairs, err := c.store.Related(ctx, k.kind, seedOrder, 200)
			if err != nil {
				return out, err
			}
			if len(pairs) == 0 {
				continue
			}
			idsSet := map[string]bool{}
			for _, p := range pairs {
				idsSet[p.A], idsSet[p.B] = true, true
			}
			stats, err := c.store.Stats(ctx, keys(idsSet))
			if err != nil {
				return out, err
			}
			for _, p := range pairs {
				sim := float64(p.Count) / math.Sqrt(float64(max(count(stats[p.A], k.kind), p.Count))*float64(max(count(stats[p.B], k.kind), p.Count)))
				add(p.B, k.weight*seeds[p.A]*sim, k.reason)
			}
		}
	}

	cats := slices.Clone(favourites)
	for _, cat := range topCategories(catCount, 3) {
		if !slices.Contains(cats, cat) {
			cats = append(cats, cat)
		}
	}
	for _, cat := range cats {
		pop, err := c.store.Popular(ctx, cat, 10)
		if err != nil {
			return out, err
		}
		for i, p := range pop {
			add(p.ProductID, weightCategory*(1-float64(i)/10), "favourite_category")
		}
	}

	if len(cands) == 0 {
		out.Strategy = "bestsellers"
	}
	if len(cands) < limit {
		pop, err := c.store.Popular(ctx, "", limit+len(exclude))
		if err != nil {
			return out, err
		}
		for i, p := range pop {
			if _, ok := cands[p.ProductID]; !ok {
				add(p.ProductID, weightBestseller*(1-float64(i)/float64(len(pop)+1)), "bestseller")
			}
		}
	}

	for id, x := range cands {
		out.Items = append(out.Items, Recommendation{ProductID: id, Score: math.Round(x.score*1e4) / 1e4, Reason: x.reason})
	}
	sort.Slice(out.Items, func(i, j int) bool {
		a, b := out.Items[i], out.Items[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.ProductID < b.ProductID
	})
	if len(out.Items) > limit {
		out.Items = out.Items[:limit]
	}
	return out, nil
}

func count(s ProductStat, k EventKind) int64 {
	if k == EventPurchase {
		return s.Purchases
	}
	return s.Views
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func topCategories(counts map[string]int, n int) []string {
	cats := make([]string, 0, len(counts))
	for c := range counts {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		if counts[cats[i]] != counts[cats[j]] {
			return counts[cats[i]] > counts[cats[j]]
		}
		return cats[i] < cats[j]
	})
	if len(cats) > n {
		cats = cats[:n]
	}
	return cats
}
