package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const envPrefix = "DOCKET_"

// A setting is one leaf of Config, found by walking its yaml tags, so that a
// field added to Config is read from the file, the environment and the flags
// without further code.
type setting struct {
	path  string       // dotted path, "review.window_days"
	env   string       // environment variable, "DOCKET_REVIEW_WINDOW_DAYS"
	index []int        // field index from Config, for reflect.Value.FieldByIndex
	typ   reflect.Type // the field's type
}

var durationType = reflect.TypeFor[time.Duration]()

// settings lists every leaf setting of Config in declaration order.
func settings() ([]setting, error) {
	var out []setting
	if err := collect(reflect.TypeFor[Config](), "", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func collect(t reflect.Type, prefix string, index []int, out *[]setting) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			return fmt.Errorf("config: field %s.%s has no yaml tag", t.Name(), f.Name)
		}
		path := joinPath(prefix, name)
		idx := append(slices.Clone(index), i)
		if f.Type.Kind() == reflect.Struct {
			if err := collect(f.Type, path, idx, out); err != nil {
				return err
			}
			continue
		}
		if !supported(f.Type) {
			return fmt.Errorf("config: setting %s has unsupported type %s", path, f.Type)
		}
		*out = append(*out, setting{path: path, env: envName(path), index: idx, typ: f.Type})
	}
	return nil
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func envName(path string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

func supported(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice:
		return scalarKind(t.Elem())
	case reflect.Map:
		return t.Key().Kind() == reflect.String && scalarKind(t.Elem())
	default:
		return scalarKind(t)
	}
}

func scalarKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// parseScalar parses s as a value of the scalar type t.
func parseScalar(t reflect.Type, s string) (reflect.Value, error) {
	v := reflect.New(t).Elem()
	trimmed := strings.TrimSpace(s)
	switch {
	case t == durationType:
		d, err := time.ParseDuration(trimmed)
		if err != nil {
			return v, fmt.Errorf("not a duration (such as 30s, 15m or 12h): %q", s)
		}
		v.SetInt(int64(d))
	case t.Kind() == reflect.String:
		v.SetString(s)
	case t.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(trimmed)
		if err != nil {
			return v, fmt.Errorf("not true or false: %q", s)
		}
		v.SetBool(b)
	case v.CanInt():
		n, err := strconv.ParseInt(trimmed, 10, t.Bits())
		if err != nil {
			return v, numberError(err, s)
		}
		v.SetInt(n)
	case v.CanUint():
		n, err := strconv.ParseUint(trimmed, 10, t.Bits())
		if err != nil {
			return v, numberError(err, s)
		}
		v.SetUint(n)
	case v.CanFloat():
		n, err := strconv.ParseFloat(trimmed, t.Bits())
		if err != nil {
			return v, fmt.Errorf("not a number: %q", s)
		}
		v.SetFloat(n)
	default:
		return v, fmt.Errorf("unsupported type %s", t)
	}
	return v, nil
}

func numberError(err error, s string) error {
	if errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("number out of range: %q", s)
	}
	return fmt.Errorf("not a whole number: %q", s)
}

// setString sets the setting held in v from its textual form, as written in
// the environment or a flag: lists comma-separated, maps as key=value pairs.
func setString(v reflect.Value, s string) error {
	t := v.Type()
	switch t.Kind() {
	case reflect.Slice:
		out := reflect.MakeSlice(t, 0, 0)
		if strings.TrimSpace(s) == "" {
			v.Set(out)
			return nil
		}
		for i, item := range strings.Split(s, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				return fmt.Errorf("item %d is empty", i+1)
			}
			e, err := parseScalar(t.Elem(), item)
			if err != nil {
				return fmt.Errorf("item %d: %w", i+1, err)
			}
			out = reflect.Append(out, e)
		}
		v.Set(out)
	case reflect.Map:
		var pairs []pair
		if strings.TrimSpace(s) != "" {
			for item := range strings.SplitSeq(s, ",") {
				key, val, ok := strings.Cut(item, "=")
				key = strings.TrimSpace(key)
				if !ok || key == "" {
					return fmt.Errorf("expected key=value, got %q", strings.TrimSpace(item))
				}
				pairs = append(pairs, pair{key, val})
			}
		}
		return mergeMap(v, pairs)
	default:
		e, err := parseScalar(t, s)
		if err != nil {
			return err
		}
		v.Set(e)
	}
	return nil
}

type pair struct{ key, value string }

// mergeMap sets the entries of pairs in the map held in v, keeping the
// entries it does not name. It never writes into the map it was given, which
// another Config may share.
func mergeMap(v reflect.Value, pairs []pair) error {
	t := v.Type()
	out := reflect.MakeMap(t)
	iter := v.MapRange()
	for iter.Next() {
		out.SetMapIndex(iter.Key(), iter.Value())
	}
	seen := make(map[string]bool, len(pairs))
	for _, p := range pairs {
		if seen[p.key] {
			return fmt.Errorf("key %q given twice", p.key)
		}
		seen[p.key] = true
		e, err := parseScalar(t.Elem(), p.value)
		if err != nil {
			return fmt.Errorf("%s: %w", p.key, err)
		}
		k := reflect.New(t.Key()).Elem()
		k.SetString(p.key)
		out.SetMapIndex(k, e)
	}
	v.Set(out)
	return nil
}

func field(c *Config, s setting) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByIndex(s.index)
}

// applyEnv sets every setting whose environment variable is present. Errors
// name the variable.
func applyEnv(c *Config, list []setting, getenv func(string) (string, bool)) error {
	var errs []error
	for _, s := range list {
		raw, ok := getenv(s.env)
		if !ok {
			continue
		}
		if err := setString(field(c, s), raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.env, err))
		}
	}
	return errors.Join(errs...)
}

// applyOverrides sets the settings named by dotted path in overrides. Errors
// name the flag by that path.
func applyOverrides(c *Config, list []setting, overrides map[string]string) error {
	byPath := make(map[string]setting, len(list))
	for _, s := range list {
		byPath[s.path] = s
	}
	var errs []error
	for _, path := range slices.Sorted(maps.Keys(overrides)) {
		s, ok := byPath[path]
		if !ok {
			errs = append(errs, fmt.Errorf("flag %s: unknown setting", path))
			continue
		}
		if err := setString(field(c, s), overrides[path]); err != nil {
			errs = append(errs, fmt.Errorf("flag %s: %w", path, err))
		}
	}
	return errors.Join(errs...)
}

// decodeFile applies the YAML document data, read from the file name, to c.
func decodeFile(c *Config, list []setting, name string, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file
		}
		return fmt.Errorf("config file %s: %w", name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: holds more than one YAML document", name)
	}

	f := fileDecoder{
		name:     name,
		c:        c,
		settings: make(map[string]setting, len(list)),
		sections: make(map[string]bool),
	}
	for _, s := range list {
		f.settings[s.path] = s
		for p := s.path; strings.Contains(p, "."); {
			p = p[:strings.LastIndex(p, ".")]
			f.sections[p] = true
		}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	f.section(root, "")
	return errors.Join(f.errs...)
}

type fileDecoder struct {
	name     string
	c        *Config
	settings map[string]setting // leaves by dotted path
	sections map[string]bool    // dotted paths that hold settings
	errs     []error
}

func (f *fileDecoder) fail(n *yaml.Node, path string, err error) {
	if path == "" {
		f.errs = append(f.errs, fmt.Errorf("config file %s line %d: %w", f.name, n.Line, err))
		return
	}
	f.errs = append(f.errs, fmt.Errorf("%s: %w (%s line %d)", path, err, f.name, n.Line))
}

// section applies the mapping n, which holds the settings under prefix.
func (f *fileDecoder) section(n *yaml.Node, prefix string) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		f.fail(n, prefix, fmt.Errorf("expected a mapping of settings, got %s", kindName(n)))
		return
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			f.fail(k, prefix, fmt.Errorf("expected a setting name, got %s", kindName(k)))
			continue
		}
		path := joinPath(prefix, k.Value)
		if k.Value == "<<" {
			f.fail(k, path, errors.New("YAML merge keys are not supported"))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			f.fail(k, path, fmt.Errorf("given twice (first on line %d)", line))
			continue
		}
		seen[k.Value] = k.Line
		if f.sections[path] {
			f.section(v, path)
			continue
		}
		s, ok := f.settings[path]
		if !ok {
			f.fail(k, path, errors.New("unknown setting"))
			continue
		}
		if err := setNode(field(f.c, s), v); err != nil {
			f.fail(deref(v), path, err)
		}
	}
}

// setNode sets the setting held in v from the YAML value n. A null leaves it
// unchanged. A list or map may also be written as a single string in the
// environment's syntax.
func setNode(v reflect.Value, n *yaml.Node) error {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	t := v.Type()
	if n.Kind == yaml.ScalarNode {
		return setString(v, n.Value)
	}
	switch t.Kind() {
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("expected a list, got %s", kindName(n))
		}
		out := reflect.MakeSlice(t, 0, len(n.Content))
		for i, item := range n.Content {
			item = deref(item)
			if item.Kind != yaml.ScalarNode || isNull(item) {
				return fmt.Errorf("item %d: expected a single value, got %s", i+1, kindName(item))
			}
			e, err := parseScalar(t.Elem(), item.Value)
			if err != nil {
				return fmt.Errorf("item %d: %w", i+1, err)
			}
			out = reflect.Append(out, e)
		}
		v.Set(out)
		return nil
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("expected a mapping, got %s", kindName(n))
		}
		var pairs []pair
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := deref(n.Content[i]), deref(n.Content[i+1])
			if k.Kind != yaml.ScalarNode || val.Kind != yaml.ScalarNode || isNull(val) {
				return fmt.Errorf("expected key: value pairs (line %d)", k.Line)
			}
			pairs = append(pairs, pair{k.Value, val.Value})
		}
		return mergeMap(v, pairs)
	default:
		return fmt.Errorf("expected a single value, got %s", kindName(n))
	}
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	default:
		return "something else"
	}
}
