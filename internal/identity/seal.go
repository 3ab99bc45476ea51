package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// sealer encrypts secrets that must be read back (TOTP keys) before they
// reach the store, so a copy of the database alone does not yield them.
// Values carry their scheme: "g1:" AES-256-GCM, "p1:" plain (no key set).
type sealer struct {
	aead cipher.AEAD
}

func newSealer(key []byte) *sealer {
	if len(key) == 0 {
		return &sealer{}
	}
	k := sha256.Sum256(append([]byte("bazaar-identity-seal-v1\x00"), key...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic(err) // a 32-byte key cannot fail
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &sealer{aead: aead}
}

func (s *sealer) seal(plain string) string {
	if s.aead == nil {
		return "p1:" + plain
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("identity: crypto/rand failed: " + err.Error())
	}
	return "g1:" + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte("totp")))
}

var errUnseal = errors.New("identity: a sealed secret cannot be opened (wrong or missing encryption key?)")

func (s *sealer) open(sealed string) (string, error) {
	if p, ok := strings.CutPrefix(sealed, "p1:"); ok {
		return p, nil
	}
	raw, ok := strings.CutPrefix(sealed, "g1:")
	if !ok || s.aead == nil {
		return "", errUnseal
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errUnseal
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte("totp"))
	if err != nil {
		return "", errUnseal
	}
	return string(plain), nil
}
