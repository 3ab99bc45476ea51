package card

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ParseKey reads a card key as configured (BAZAAR_PAYMENT_CARD_KEY): 32
// bytes as 64 hex digits or as base64 (standard or URL alphabet, padded or
// not). Generate one with: openssl rand -base64 32
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("card: the key must be %d bytes as hex or base64 (openssl rand -base64 32)", KeySize)
}

// LoadOrCreateKeyFile returns the key kept in path, creating the file with
// a fresh random key (mode 0600) if it does not exist: the embedded mode's
// default, so cards sealed in one run open in the next. Losing the file
// loses every stored card.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		return ParseKey(string(b))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("card: read key file: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("card: generate key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("card: key dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKeyFile(path) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("card: create key file: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("card: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("card: write key file: %w", err)
	}
	return key, nil
}
