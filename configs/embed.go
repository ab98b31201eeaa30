// Package configs embeds the shipped example of the benchmarks file, the set
// Docket falls back to when the configured file is the default and absent.
package configs

import _ "embed"

// Benchmarks is the shipped configs/benchmarks.yaml.
//
//go:embed benchmarks.yaml
var Benchmarks []byte
