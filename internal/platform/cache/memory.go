package cache

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// MemoryOptions bound an in-process cache. Zero fields take the defaults.
type MemoryOptions struct {
	MaxEntries      int              // default 100,000
	MaxBytes        int64            // keys + values + per-entry overhead; default 64 MiB
	Shards          int              // lock stripes; default 32
	CleanupInterval time.Duration    // sweep of expired entries; default 1 minute, negative disables
	Now             func() time.Time // the clock; tests pass a fake one
}

const (
	defaultMaxEntries = 100_000
	defaultMaxBytes   = 64 << 20
	defaultShards     = 32
	defaultCleanup    = time.Minute
	// entryOverhead approximates the map slot, entry struct and list links,
	// so that a flood of tiny entries still counts against MaxBytes.
	entryOverhead = 96
)

// Memory is the in-process Cache: a map split into shards, each under its
// own mutex with its own least-recently-used list. Each shard holds at most
// its share of MaxEntries and MaxBytes and evicts its least recently used
// entries to stay there, so the whole never grows past the bounds. Expired
// entries are dropped when read and by a periodic sweep.
type Memory struct {
	shards []shard
	seed   maphash.Seed
	now    func() time.Time
	loader loader

	closed    atomic.Bool
	closeOnce sync.Once
	stop      chan struct{}
	swept     chan struct{}
}

var _ Cache = (*Memory)(nil)

type shard struct {
	mu         sync.Mutex
	items      map[string]*entry
	head, tail *entry // most and least recently used
	bytes      int64
	maxEntries int
	maxBytes   int64
}

type entry struct {
	key        string
	val        []byte
	expires    int64 // unix nanoseconds; 0 is never
	prev, next *entry
}

func (e *entry) size() int64 { return int64(len(e.key) + len(e.val) + entryOverhead) }

func (e *entry) expired(now int64) bool { return e.expires != 0 && now >= e.expires }

// NewMemory returns an in-process cache. Close it to stop its sweeper.
func NewMemory(opts MemoryOptions) *Memory {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = defaultMaxEntries
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = defaultMaxBytes
	}
	if opts.Shards <= 0 {
		opts.Shards = defaultShards
	}
	// Every shard must hold at least one entry, and the shares must not add
	// up to more than the bounds.
	opts.Shards = min(opts.Shards, opts.MaxEntries)
	if opts.CleanupInterval == 0 {
		opts.CleanupInterval = defaultCleanup
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Memory{
		shards: make([]shard, opts.Shards),
		seed:   maphash.MakeSeed(),
		now:    opts.Now,
		stop:   make(chan struct{}),
		swept:  make(chan struct{}),
	}
	for i := range m.shards {
		m.shards[i] = shard{
			items:      make(map[string]*entry),
			maxEntries: opts.MaxEntries / opts.Shards,
			maxBytes:   opts.MaxBytes / int64(opts.Shards),
		}
	}
	if opts.CleanupInterval > 0 {
		go m.sweep(opts.CleanupInterval)
	} else {
		close(m.swept)
	}
	return m
}

func (m *Memory) shard(key string) *shard {
	return &m.shards[maphash.String(m.seed, key)%uint64(len(m.shards))]
}

func (m *Memory) clock() int64 { return m.now().UnixNano() }

func (m *Memory) deadline(now int64, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	if now > math.MaxInt64-int64(ttl) {
		return math.MaxInt64
	}
	return now + int64(ttl)
}

func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	if m.closed.Load() {
		return nil, false, ErrClosed
	}
	s, now := m.shard(key), m.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(key, now)
	if e == nil {
		return nil, false, nil
	}
	s.toFront(e)
	return bytes.Clone(e.val), true, nil
}

func (m *Memory) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	if m.closed.Load() {
		return ErrClosed
	}
	s, now := m.shard(key), m.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(key, bytes.Clone(val), m.deadline(now, ttl))
}

func (m *Memory) SetNX(_ context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	if m.closed.Load() {
		return false, ErrClosed
	}
	s, now := m.shard(key), m.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live(key, now) != nil {
		return false, nil
	}
	if err := s.put(key, bytes.Clone(val), m.deadline(now, ttl)); err != nil {
		return false, err
	}
	return true, nil
}

func (m *Memory) Delete(_ context.Context, keys ...string) error {
	if m.closed.Load() {
		return ErrClosed
	}
	for _, k := range keys {
		s := m.shard(k)
		s.mu.Lock()
		if e := s.items[k]; e != nil {
			s.remove(e)
		}
		s.mu.Unlock()
	}
	return nil
}

func (m *Memory) IncrBy(_ context.Context, key string, n int64, ttl time.Duration) (int64, error) {
	if m.closed.Load() {
		return 0, ErrClosed
	}
	s, now := m.shard(key), m.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur, expires int64
	if e := s.live(key, now); e != nil {
		v, err := strconv.ParseInt(string(e.val), 10, 64)
		if err != nil {
			return 0, ErrNotCounter.With("the value under " + strconv.Quote(key) + " is not an integer")
		}
		cur, expires = v, e.expires
	}
	sum := cur + n
	if (cur^sum)&(n^sum) < 0 {
		return 0, ErrNotCounter.With("incrementing " + strconv.Quote(key) + " would overflow")
	}
	if expires == 0 {
		expires = m.deadline(now, ttl)
	}
	if err := s.put(key, strconv.AppendInt(nil, sum, 10), expires); err != nil {
		return 0, err
	}
	return sum, nil
}

func (m *Memory) GetOrLoad(ctx context.Context, key string, ttl time.Duration, load LoadFunc) ([]byte, error) {
	return m.loader.getOrLoad(ctx, m, key, ttl, load)
}

func (m *Memory) Ping(context.Context) error {
	if m.closed.Load() {
		return ErrClosed
	}
	return nil
}

// Close stops the sweeper and drops every entry.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() {
		m.closed.Store(true)
		close(m.stop)
		<-m.swept
		for i := range m.shards {
			s := &m.shards[i]
			s.mu.Lock()
			s.items, s.head, s.tail, s.bytes = map[string]*entry{}, nil, nil, 0
			s.mu.Unlock()
		}
	})
	return nil
}

// Len reports how many entries are held, expired ones not yet swept included.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.items)
		s.mu.Unlock()
	}
	return n
}

// RemoveExpired drops every expired entry now and reports how many it
// dropped; the sweeper calls it every CleanupInterval.
func (m *Memory) RemoveExpired() int {
	now, n := m.clock(), 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		for _, e := range s.items {
			if e.expired(now) {
				s.remove(e)
				n++
			}
		}
		s.mu.Unlock()
	}
	return n
}

func (m *Memory) sweep(every time.Duration) {
	defer close(m.swept)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.RemoveExpired()
		}
	}
}

// live returns the unexpired entry under key, dropping an expired one.
func (s *shard) live(key string, now int64) *entry {
	e := s.items[key]
	if e != nil && e.expired(now) {
		s.remove(e)
		return nil
	}
	return e
}

// put stores val under key as the most recently used entry, then evicts
// from the cold end until the shard is within its bounds. A value too big
// for a shard is refused, and the key is left empty: its old value is stale.
func (s *shard) put(key string, val []byte, expires int64) error {
	e := s.items[key]
	if e != nil {
		s.remove(e)
	}
	e = &entry{key: key, val: val, expires: expires}
	if e.size() > s.maxBytes {
		return ErrTooLarge.With(fmt.Sprintf("%d bytes under %q is over the in-process limit of %d per entry", len(val), key, s.maxBytes-entryOverhead-int64(len(key))))
	}
	s.items[key] = e
	s.bytes += e.size()
	s.pushFront(e)
	for len(s.items) > s.maxEntries || s.bytes > s.maxBytes {
		s.remove(s.tail)
	}
	return nil
}

func (s *shard) remove(e *entry) {
	delete(s.items, e.key)
	s.bytes -= e.size()
	s.unlink(e)
}

func (s *shard) toFront(e *entry) {
	if s.head == e {
		return
	}
	s.unlink(e)
	s.pushFront(e)
}

func (s *shard) pushFront(e *entry) {
	e.prev, e.next = nil, s.head
	if s.head != nil {
		s.head.prev = e
	}
	s.head = e
	if s.tail == nil {
		s.tail = e
	}
}

func (s *shard) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
}
