package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/docket/docket/internal/statement"
)

// maxJWKSBytes bounds a key set read from a file or fetched from a URL.
const maxJWKSBytes = 1 << 20

// cmdKeysRotate makes a new current statement key, or with --csaf a new
// OpenPGP key for the CSAF provider. Earlier keys stay in the database and
// published (/.well-known/jwks.json, the provider metadata), so what they
// signed still verifies.
func cmdKeysRotate(ctx context.Context, args []string, e env) error {
	var c common
	fs := newFlags("keys rotate", e, &c)
	csafKey := fs.Bool("csaf", false, "rotate the CSAF provider's OpenPGP key instead of the statement key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := load(c, e, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := newService(st, cfg, e, newLogger(cfg, e.Stderr))
	if err != nil {
		return err
	}
	if *csafKey {
		fpr, earlier, err := svc.Provider.RotateCSAFKey(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "new CSAF OpenPGP key %s: it signs every CSAF document from now on\n", fpr)
		if len(earlier) > 0 {
			fmt.Fprintf(e.Stdout, "earlier keys stay published in the provider metadata: %s\n", strings.Join(earlier, ", "))
		}
		return nil
	}
	kid, earlier, err := svc.Evidence.RotateSigningKey(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "new statement signing key %s\n", kid)
	if len(earlier) > 0 {
		fmt.Fprintf(e.Stdout, "earlier keys stay published in /.well-known/jwks.json, so their statements still verify: %s\n",
			strings.Join(earlier, ", "))
	}
	return nil
}

// cmdStatementVerify checks one review statement against a JSON Web Key Set
// read from a file or fetched from a URL: EdDSA only, the header's kid in the
// set, the signature, the required claims. It says why a statement fails and
// exits 1; 2 for a wrong command line; 0 when the statement verifies.
func cmdStatementVerify(_ context.Context, args []string, e env) int {
	var c common
	fs := newFlags("statement verify", e, &c)
	jwks := fs.String("jwks", "", "the key set: a file, or an http(s) URL such as https://docket.example.gov/.well-known/jwks.json")
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 || *jwks == "" {
		fmt.Fprintln(e.Stderr, "docket: statement verify: give one statement FILE and --jwks FILE_OR_URL")
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.Stdout, "statement invalid: %s\n", fmt.Sprintf(format, a...))
		return 1
	}
	token, err := readStatement(files[0])
	if err != nil {
		return fail("%v", err)
	}
	data, err := readJWKS(*jwks)
	if err != nil {
		return fail("%v", err)
	}
	set, err := statement.ParseJWKS(data)
	if err != nil {
		return fail("%s: %v", *jwks, err)
	}
	claims, err := statement.Verify(token, set)
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(e.Stdout, "statement valid: %s\n", statement.Describe(claims))
	return 0
}

// readStatement reads a statement file: the JWS itself, or the JSON that GET
// /api/v1/cases/{id}/statement answers, whose statement field holds it.
func readStatement(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("the statement file: %w", err)
	}
	text := strings.TrimSpace(string(b))
	if strings.HasPrefix(text, "{") {
		var doc struct {
			Statement string `json:"statement"`
		}
		if err := json.Unmarshal([]byte(text), &doc); err != nil || doc.Statement == "" {
			return "", fmt.Errorf("%s is JSON without a statement field", path)
		}
		return doc.Statement, nil
	}
	return text, nil
}

// readJWKS reads the key set from a file or an http(s) URL.
func readJWKS(src string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("the key set: %w", err)
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, maxJWKSBytes))
	}
	client := &http.Client{Timeout: 15 * time.Second}
	resp, err := client.Get(src)
	if err != nil {
		return nil, fmt.Errorf("the key set could not be fetched: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the key set could not be fetched: %s answered %s", src, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes))
}
