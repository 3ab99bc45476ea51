package cart

import (
	"encoding/json"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// cachedRecord is a Record as the cache keeps it: flat, with times in
// milliseconds and amounts as integers, so that a read decodes it in one
// pass (money's own JSON decoder validates each amount on its own, which
// costs more than all the pricing of a 20-line cart).
type cachedRecord struct {
	ID        string       `json:"id"`
	UserID    string       `json:"u,omitempty"`
	TokenHash string       `json:"t,omitempty"`
	DeviceID  string       `json:"d,omitempty"`
	Status    Status       `json:"s"`
	Currency  string       `json:"c"`
	Lines     []cachedLine `json:"l"`
	Codes     []string     `json:"k"`
	Address   *Address     `json:"a,omitempty"`
	ClosedRef string       `json:"r,omitempty"`
	Version   int64        `json:"v"`
	CreatedAt int64        `json:"ca"`
	UpdatedAt int64        `json:"ua"`
	ExpiresAt *int64       `json:"ea,omitempty"`
}

type cachedLine struct {
	ID       string `json:"i"`
	SKU      string `json:"s"`
	Quantity int64  `json:"q"`
	Price    int64  `json:"p"`
	AddedAt  int64  `json:"a"`
}

func encodeRecord(r Record) ([]byte, error) {
	c := cachedRecord{ID: r.ID, UserID: r.UserID, TokenHash: r.TokenHash, DeviceID: r.DeviceID, Status: r.Status,
		Currency: r.Currency, Codes: r.Codes, Address: r.Address, ClosedRef: r.ClosedRef, Version: r.Version,
		CreatedAt: r.CreatedAt.UnixMilli(), UpdatedAt: r.UpdatedAt.UnixMilli(), Lines: make([]cachedLine, len(r.Lines))}
	if r.ExpiresAt != nil {
		ms := r.ExpiresAt.UnixMilli()
		c.ExpiresAt = &ms
	}
	for i, l := range r.Lines {
		c.Lines[i] = cachedLine{ID: l.ID, SKU: l.SKU, Quantity: l.Quantity, Price: l.Price.Amount, AddedAt: l.AddedAt.UnixMilli()}
	}
	return json.Marshal(c)
}

func decodeRecord(b []byte) (Record, error) {
	var c cachedRecord
	if err := json.Unmarshal(b, &c); err != nil {
		return Record{}, err
	}
	if _, err := money.LookupCurrency(c.Currency); err != nil {
		return Record{}, err
	}
	r := Record{ID: c.ID, UserID: c.UserID, TokenHash: c.TokenHash, DeviceID: c.DeviceID, Status: c.Status,
		Currency: c.Currency, Codes: c.Codes, Address: c.Address, ClosedRef: c.ClosedRef, Version: c.Version,
		CreatedAt: time.UnixMilli(c.CreatedAt).UTC(), UpdatedAt: time.UnixMilli(c.UpdatedAt).UTC(),
		Lines: make([]StoredLine, len(c.Lines))}
	if r.Codes == nil {
		r.Codes = []string{}
	}
	if c.ExpiresAt != nil {
		t := time.UnixMilli(*c.ExpiresAt).UTC()
		r.ExpiresAt = &t
	}
	for i, l := range c.Lines {
		r.Lines[i] = StoredLine{ID: l.ID, SKU: l.SKU, Quantity: l.Quantity,
			Price: money.Money{Amount: l.Price, Currency: c.Currency}, AddedAt: time.UnixMilli(l.AddedAt).UTC()}
	}
	return r, nil
}
