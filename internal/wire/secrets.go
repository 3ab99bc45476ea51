package wire

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// devSecret returns the configured secret, or in the embedded mode one
// generated on first start and kept in the data dir (mode 0600), so a laptop
// shop works with zero configuration and keeps its sessions across restarts.
// In production an unset secret stays empty: the caller decides whether that
// is allowed.
func (a *App) devSecret(configured, name string) (string, error) {
	if configured != "" || !a.cfg.Embedded() {
		return configured, nil
	}
	dir := filepath.Join(a.cfg.DataDir, "secrets")
	path := filepath.Join(dir, name)
	if b, err := os.ReadFile(path); err == nil {
		if s := strings.TrimSpace(string(b)); len(s) >= 32 {
			return s, nil
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("secrets dir: %w", err)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	s := hex.EncodeToString(b[:])
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return s, nil
}
