package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"text/tabwriter"

	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/wire"
)

func printVersion(w io.Writer) error {
	v := wire.Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(w, "bazaar %s (%s)\n", v, bi.GoVersion)
		return nil
	}
	fmt.Fprintf(w, "bazaar %s\n", v)
	return nil
}

func printConfig(args, environ []string, w io.Writer) error {
	cfg, err := config.Load(args, environ)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tVALUE")
	for _, s := range cfg.Settings() {
		fmt.Fprintf(tw, "%s\t%s\n", s.Env, s.Value)
	}
	return tw.Flush()
}

func printFlags(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FLAG\tVARIABLE\tDEFAULT\tMEANING")
	for _, s := range config.Documented() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Flag, s.Env, s.Default, s.Help)
	}
	tw.Flush()
}

// migrate applies every selected service's migrations and exits. The same
// happens at every start; this is for running it as a separate release step.
func migrate(args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, environ)
	if err != nil {
		return err
	}
	log := logging.New(stderr, cfg.LogFormat, cfg.LogLevel)
	slog.SetDefault(log)
	n, err := wire.Migrate(context.Background(), cfg, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated: %d migrations applied\n", n)
	return nil
}
