// Package templates embeds Docket's html/template files.
package templates

import "embed"

// FS holds every template.
//
//go:embed *.html
var FS embed.FS
