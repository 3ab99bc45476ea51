package card

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the length of a card key: AES-256.
const KeySize = 32

// Sealer encrypts card numbers with AES-256-GCM. A sealed number starts with
// the id of the key that sealed it, so keys can be rotated: NewSealer takes
// the current key first and any older keys still needed to open numbers
// sealed before the rotation.
type Sealer struct {
	current string // key id
	aeads   map[string]cipher.AEAD
	fpKey   []byte // HMAC key for fingerprints, derived from the current key
}

// keyIDSize is the length of the key id prefix of a sealed number.
const keyIDSize = 8

// NewSealer returns a sealer using key (32 bytes) to seal and key and old to open.
func NewSealer(key []byte, old ...[]byte) (*Sealer, error) {
	s := &Sealer{aeads: map[string]cipher.AEAD{}}
	for i, k := range append([][]byte{key}, old...) {
		if len(k) != KeySize {
			return nil, fmt.Errorf("card: key %d is %d bytes; AES-256 needs %d", i, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("card: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("card: %w", err)
		}
		id := KeyID(k)
		if i == 0 {
			s.current = id
			s.fpKey = derive(k, "bazaar-card-fingerprint-v1")
		}
		s.aeads[id] = aead
	}
	return s, nil
}

// KeyID names a key without revealing it.
func KeyID(key []byte) string {
	return hex.EncodeToString(derive(key, "bazaar-card-key-id-v1")[:keyIDSize/2])
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// ErrUnsealable means a sealed number could not be opened: a key that is no
// longer configured, or data that was altered.
var ErrUnsealable = errors.New("card: sealed number cannot be opened")

// Seal encrypts pan; aad (the token) binds the ciphertext to its record, so a
// sealed number copied to another record does not open there.
func (s *Sealer) Seal(pan PAN, aad string) ([]byte, error) {
	aead := s.aeads[s.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("card: nonce: %w", err)
	}
	out := make([]byte, 0, keyIDSize+len(nonce)+len(pan)+aead.Overhead())
	out = append(out, s.current...)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, []byte(pan), []byte(aad)), nil
}

// Open decrypts what Seal returned for the same aad.
func (s *Sealer) Open(sealed []byte, aad string) (PAN, error) {
	if len(sealed) < keyIDSize {
		return "", ErrUnsealable
	}
	aead, ok := s.aeads[string(sealed[:keyIDSize])]
	if !ok {
		return "", fmt.Errorf("%w: key %q is not configured", ErrUnsealable, sealed[:keyIDSize])
	}
	rest := sealed[keyIDSize:]
	if len(rest) < aead.NonceSize() {
		return "", ErrUnsealable
	}
	plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], []byte(aad))
	if err != nil {
		return "", ErrUnsealable
	}
	return PAN(plain), nil
}

// Fingerprint identifies a card number without revealing it (HMAC-SHA256
// under a key derived from the card key): the same card saved twice is
// recognised, and the fingerprint is useless without the key.
func (s *Sealer) Fingerprint(pan PAN) string {
	m := hmac.New(sha256.New, s.fpKey)
	m.Write([]byte(digitsOnly(string(pan))))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
