package api

import (
	"context"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/csaf"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// ProviderService is what the CSAF provider's handlers call of the provider service.
type ProviderService interface {
	CSAFFolder(ctx context.Context, a docket.Actor, name string) (*app.Folder, error)
	CSAFKeys(ctx context.Context) ([]csaf.Key, error)
	Sign(ctx context.Context, data []byte, at time.Time) ([]byte, error)
	Updated(ctx context.Context) (time.Time, error)
	Now() time.Time
}

// Provider serves the CSAF trusted provider under /.well-known/csaf/ (CSAF
// 2.0 section 7, the directory distribution) and /.well-known/security.txt.
// Every answer is polled (httpx.Polled) and none redirects.
type Provider struct {
	provider ProviderService
	// baseURL is Docket's address ("": the request's host); agency names the
	// publisher; contact is security.txt's Contact.
	baseURL, agency, contact string
}

func newProvider(p ProviderService, st Settings) *Provider {
	contact := "mailto:" + st.Contact
	if a, err := mail.ParseAddress(st.Contact); err == nil {
		contact = "mailto:" + a.Address
	}
	return &Provider{provider: p, baseURL: st.BaseURL, agency: st.AgencyName, contact: contact}
}

func (s *Provider) publisher(c echo.Context) csaf.Publisher {
	return csaf.Publisher{Name: s.agency, BaseURL: httpx.LinkBase(c, s.baseURL)}
}

// GetProviderMetadata answers /.well-known/csaf/provider-metadata.json:
// public, whoever asks (it names the folders and keys, never an entry).
func (s *Provider) GetProviderMetadata(c echo.Context) error {
	keys, err := s.provider.CSAFKeys(c.Request().Context())
	if err != nil {
		return err
	}
	updated, err := s.provider.Updated(c.Request().Context())
	if err != nil {
		return err
	}
	body, err := s.publisher(c).ProviderMetadata(keys, updated)
	if err != nil {
		return err
	}
	return httpx.Polled(c, echo.MIMEApplicationJSON, body, updated)
}

// GetSecurityTxt answers /.well-known/security.txt (RFC 9116), whose CSAF
// field names the provider metadata.
func (s *Provider) GetSecurityTxt(c echo.Context) error {
	body := s.publisher(c).SecurityTxt(s.contact, s.provider.Now())
	return httpx.Polled(c, "text/plain; charset=utf-8", body, time.Time{})
}

// GetPublicKey answers /.well-known/csaf/openpgp/{fingerprint}.asc.
func (s *Provider) GetPublicKey(c echo.Context) error {
	fpr, ok := strings.CutSuffix(c.Param("file"), ".asc")
	if !ok {
		return docket.NotFound("key")
	}
	keys, err := s.provider.CSAFKeys(c.Request().Context())
	if err != nil {
		return err
	}
	for _, k := range keys {
		if strings.EqualFold(k.Fingerprint, fpr) {
			return httpx.Polled(c, "application/pgp-keys", k.Armored, time.Time{})
		}
	}
	return docket.NotFound("key")
}

// folder reads the request's TLP folder for its reader.
func (s *Provider) folder(c echo.Context) (*app.Folder, error) {
	return s.provider.CSAFFolder(c.Request().Context(), httpx.MustActor(c), c.Param("tlp"))
}

// GetFolder answers a TLP folder's own listing: its years, index.txt and changes.csv.
func (s *Provider) GetFolder(c echo.Context) error {
	f, err := s.folder(c)
	if err != nil {
		return err
	}
	names := []string{}
	for i := range f.Entries {
		y := strconv.Itoa(csaf.Year(&f.Entries[i])) + "/"
		if !slices.Contains(names, y) {
			names = append(names, y)
		}
	}
	slices.Sort(names)
	names = append(names, "index.txt", "changes.csv")
	body, err := csaf.Listing("/.well-known/csaf/"+f.Name+"/", names)
	if err != nil {
		return err
	}
	return httpx.Polled(c, echo.MIMETextHTMLCharsetUTF8, body, f.Released)
}

// GetFolderFile answers index.txt and changes.csv of a TLP folder.
func (s *Provider) GetFolderFile(c echo.Context) error {
	f, err := s.folder(c)
	if err != nil {
		return err
	}
	switch c.Param("name") {
	case "index.txt":
		return httpx.Polled(c, "text/plain; charset=utf-8", csaf.Index(f.Entries), f.Released)
	case "changes.csv":
		return httpx.Polled(c, "text/csv; charset=utf-8", csaf.Changes(f.Entries), f.Released)
	}
	return docket.NotFound("file")
}

// GetYear answers a year folder's listing: each document and its hash and
// signature files.
func (s *Provider) GetYear(c echo.Context) error {
	f, err := s.folder(c)
	if err != nil {
		return err
	}
	var names []string
	released := time.Time{}
	for i := range f.Entries {
		e := &f.Entries[i]
		if strconv.Itoa(csaf.Year(e)) != c.Param("year") {
			continue
		}
		file := csaf.FileName(e.ID)
		names = append(names, file, file+".asc", file+".sha256", file+".sha512")
		if e.PublishedAt.After(released) {
			released = e.PublishedAt
		}
	}
	if names == nil {
		return docket.NotFound("folder")
	}
	slices.Sort(names)
	body, err := csaf.Listing("/.well-known/csaf/"+f.Name+"/"+c.Param("year")+"/", names)
	if err != nil {
		return err
	}
	return httpx.Polled(c, echo.MIMETextHTMLCharsetUTF8, body, released)
}

// GetDocument answers a document ({file}.json) and its .sha256, .sha512
// and .asc (a detached OpenPGP signature by the current key).
func (s *Provider) GetDocument(c echo.Context) error {
	f, err := s.folder(c)
	if err != nil {
		return err
	}
	file := c.Param("file")
	name, ext := file, ""
	for _, x := range []string{".sha256", ".sha512", ".asc"} {
		if n, ok := strings.CutSuffix(file, x); ok {
			name, ext = n, x
		}
	}
	var e *docket.ClearinghouseEntry
	for i := range f.Entries {
		if csaf.FileName(f.Entries[i].ID) == name && strconv.Itoa(csaf.Year(&f.Entries[i])) == c.Param("year") {
			e = &f.Entries[i]
		}
	}
	if e == nil {
		return docket.NotFound("advisory")
	}
	doc, err := s.publisher(c).Document(e)
	if err != nil {
		return err
	}
	switch ext {
	case "":
		return httpx.Polled(c, echo.MIMEApplicationJSON, doc, e.PublishedAt)
	case ".sha256", ".sha512":
		body, err := csaf.HashFile(ext[1:], name, doc)
		if err != nil {
			return err
		}
		return httpx.Polled(c, "text/plain; charset=utf-8", body, e.PublishedAt)
	}
	sig, err := s.provider.Sign(c.Request().Context(), doc, e.PublishedAt)
	if err != nil {
		return err
	}
	return httpx.Polled(c, "application/pgp-signature", sig, e.PublishedAt)
}
