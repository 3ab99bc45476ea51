package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/wire"
)

// adminCommand runs `bazaar admin create --email ADDRESS [config flags]`.
// The password comes from the first line of standard input, never from a
// flag, so it does not land in shell history or the process list.
func adminCommand(args, environ []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: bazaar admin create --email ADDRESS (password on standard input)")
	}
	args = args[1:]
	var email string
	var rest []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--email" && i+1 < len(args):
			email = args[i+1]
			i++
		case strings.HasPrefix(a, "--email="):
			email = strings.TrimPrefix(a, "--email=")
		default:
			rest = append(rest, a)
		}
	}
	if email == "" {
		return errors.New("--email is required")
	}
	cfg, err := config.Load(rest, environ)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "password for %s (one line on standard input): ", email)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("no password on standard input")
	}
	password := strings.TrimRight(line, "\r\n")
	fmt.Fprintln(stderr)
	log := logging.New(stderr, cfg.LogFormat, cfg.LogLevel)
	u, err := wire.CreateAdmin(context.Background(), cfg, log, email, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin %s (%s) ready: sign in at %s\n", u.Email, u.ID, cfg.PublicURL)
	return nil
}
