// Package static embeds Docket's stylesheet and scripts.
package static

import "embed"

// FS holds the static files served under /static/.
//
//go:embed *.css
var FS embed.FS
