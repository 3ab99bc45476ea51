package identity

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

//go:embed common-passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 10000)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsFile))
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = struct{}{}
		}
	}
	return m
})

// CommonPasswordCount is the size of the shipped list, for tests and docs.
func CommonPasswordCount() int { return len(commonPasswords()) }

func commonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}

// PasswordParams are Argon2id's costs.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultPasswordParams are OWASP's first recommendation for Argon2id:
// 19 MiB, 2 passes, 1 lane. About 20-40 ms of one core each.
var DefaultPasswordParams = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1}

// TestPasswordParams are cheap, for tests only.
var TestPasswordParams = PasswordParams{Memory: 64, Time: 1, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// hasher hashes and verifies passwords, at most `slots` at a time: each
// hash holds Memory KiB, so a flood of sign-ins queues here instead of
// exhausting the process's memory, and the queue is bounded in time.
type hasher struct {
	p     PasswordParams
	slots chan struct{}
	wait  time.Duration
	dummy string // verified against when the account does not exist
}

func newHasher(p PasswordParams, concurrency int, wait time.Duration) *hasher {
	h := &hasher{p: p, slots: make(chan struct{}, concurrency), wait: wait}
	h.dummy = h.encode(make([]byte, saltLen), argon2.IDKey([]byte("no such account"), make([]byte, saltLen), p.Time, p.Memory, p.Threads, keyLen))
	return h
}

func (h *hasher) acquire(ctx context.Context) error {
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hasher) release() { <-h.slots }

// hash returns the PHC string of a new hash of pw.
func (h *hasher) hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.encode(salt, argon2.IDKey([]byte(pw), salt, h.p.Time, h.p.Memory, h.p.Threads, keyLen)), nil
}

func (h *hasher) encode(salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.Memory, h.p.Time, h.p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

var errBadHash = errors.New("identity: malformed password hash")

// verify checks pw against a stored hash (the dummy one when encoded is
// empty, so an unknown account costs as much as a known one). stale is true
// when the hash was made with other parameters than today's: rehash it.
func (h *hasher) verify(ctx context.Context, encoded, pw string) (ok, stale bool, err error) {
	if encoded == "" {
		encoded = h.dummy
		defer func() { ok = false }()
	}
	var p PasswordParams
	var version int
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 {
		return false, false, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, false, errBadHash
	}
	// A stored hash is trusted data, but cap what it may cost all the same.
	if p.Memory > 1<<20 || p.Time > 16 {
		return false, false, errBadHash
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, p != h.p, nil
}
