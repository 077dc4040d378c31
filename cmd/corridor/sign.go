package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/all"
)

// runSign prints, one per line, the headers the source's vendor would send
// with the body read from stdin (or --file), signed with the source's first
// secret. `curl -H @<(corridor sign ...)` sends them.
func runSign(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("sign", stderr)
	var fv flagValues
	fv.register(fs)
	source := fs.String("source", "", "configured source name (required)")
	secret := fs.String("secret", "", "sign with this secret instead of the configured one")
	file := fs.String("file", "", "read the body from this file instead of stdin")
	uri := fs.String("uri", "", "request URI, for vendors that sign it (default /v1/webhooks/<source>)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *source == "" {
		return fmt.Errorf("%w: --source is required", errUsage)
	}
	cfg, err := loadConfig(fs, &fv, os.Getenv, os.Environ())
	if err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}
	sc, ok := cfg.Sources[*source]
	if !ok {
		if _, known := all.Lookup(*source); !known || *secret == "" {
			return fmt.Errorf("%w: source %q is not configured (and --secret with a vendor name signs without config)", errUsage, *source)
		}
		sc = connectors.SourceConfig{Type: *source}
	}
	if *secret != "" {
		sc.Secrets = []string{*secret}
	}
	f, _ := all.Lookup(sc.Type)
	dec, err := f.New(sc, connectors.Settings{Name: *source})
	if err != nil {
		return err
	}
	signer, ok := dec.(connectors.Signer)
	if !ok {
		return fmt.Errorf("%s does not sign its webhooks", sc.Type)
	}
	var body []byte
	if *file != "" {
		body, err = os.ReadFile(*file)
	} else {
		body, err = io.ReadAll(stdin)
	}
	if err != nil {
		return fmt.Errorf("sign: read body: %w", err)
	}
	if *uri == "" {
		*uri = "/v1/webhooks/" + *source
	}
	req := connectors.Request{Method: http.MethodPost, URI: *uri, ContentType: "application/json", Header: http.Header{}, Body: body, ReceivedAt: time.Now()}
	if err := signer.Sign(&req, time.Now()); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	names := make([]string, 0, len(req.Header))
	for k := range req.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range req.Header[k] {
			fmt.Fprintf(stdout, "%s: %s\n", k, v)
		}
	}
	return nil
}
