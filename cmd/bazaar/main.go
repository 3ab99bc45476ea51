// Command bazaar runs the Bazaar commerce platform: every service in one
// process with embedded storage by default, or any subset of them against
// PostgreSQL, NATS and Redis in production.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `Bazaar: a commerce platform for a shop's busiest day.

Usage:
  bazaar [serve] [flags]    run the shop (all services, embedded storage by default)
  bazaar migrate [flags]    apply database migrations for the selected services, then exit
  bazaar config [flags]     print the effective configuration, secrets masked
  bazaar seed --products N [flags]
                            top the demo catalogue up to N products, with stock
  bazaar admin create --email ADDRESS [flags]
                            make an admin account; the password is read from standard input
  bazaar openapi            print the API's OpenAPI document (what /api/v1/openapi.json serves)
  bazaar version            print the version

Every flag has a BAZAAR_* environment variable; run 'bazaar config --help' for the list.
`

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

// run is main without the process globals, so tests can call it.
func run(args, environ []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args, environ, stdout, stderr)
	case "migrate":
		err = migrate(args, environ, stdout, stderr)
	case "config":
		err = printConfig(args, environ, stdout)
	case "seed":
		err = seedCommand(args, environ, stdout, stderr)
	case "admin":
		err = adminCommand(args, environ, os.Stdin, stdout, stderr)
	case "openapi":
		err = printOpenAPI(args, environ, stdout, stderr)
	case "version":
		err = printVersion(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "bazaar: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		printFlags(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "bazaar %s: %v\n", cmd, err)
		return 1
	}
	return 0
}
