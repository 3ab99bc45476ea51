package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/wire"
)

// seedCommand runs `bazaar seed --products N [config flags]`: the demo
// catalogue topped up to N products, with stock.
func seedCommand(args, environ []string, stdout, stderr io.Writer) error {
	products := 2000
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		v, isFlag := strings.CutPrefix(a, "--products=")
		if a == "--products" && i+1 < len(args) {
			v, isFlag = args[i+1], true
			i++
		}
		if !isFlag {
			rest = append(rest, a)
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10_000_000 {
			return errors.New("--products wants a count from 1 to 10000000")
		}
		products = n
	}
	cfg, err := config.Load(rest, environ)
	if err != nil {
		return err
	}
	log := logging.New(stderr, cfg.LogFormat, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	last := 0
	res, err := wire.Seed(ctx, cfg, log, products, func(done, total int) {
		if done-last >= 10_000 || done == total {
			fmt.Fprintf(stderr, "seeded %d of %d products\n", done, total)
			last = done
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalogue has %d products (%d added with %d variants in %s)\n",
		products, res.Products, res.Variants, res.Elapsed.Round(1e6))
	return nil
}
