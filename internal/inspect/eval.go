package inspect

import (
	"archive/zip"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// zipZstd is the ZIP compression method of Zstandard (APPNOTE 4.4.5), which
// recent Inspect writes.
const zipZstd = 93

// zstdMaxWindow bounds the window a Zstandard frame may ask for, so that a
// hostile frame header cannot make the decoder allocate gigabytes.
const zstdMaxWindow = 32 << 20

// The names of an .eval file's entries that Docket looks at.
const (
	headerEntry  = "header.json"
	journalStart = "_journal/start.json"
)

// readEval reads an .eval file: a ZIP whose header.json holds the finished
// run. The entries' declared sizes are checked against the limits before
// anything is decompressed, and header.json is decompressed through a limit
// too (a declared size can lie).
func readEval(r io.ReaderAt, size int64) (*Log, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, refuse("is not a readable ZIP (.eval) file: %v", err)
	}
	zr.RegisterDecompressor(zipZstd, zstdDecompressor)
	var total uint64
	var header *zip.File
	started := false
	for _, f := range zr.File {
		if f.UncompressedSize64 > uint64(MaxEntryBytes) {
			return nil, tooLarge("the log's entry %q is %d bytes uncompressed, over the %d MiB limit of one entry", f.Name, f.UncompressedSize64, MaxEntryBytes>>20)
		}
		total += f.UncompressedSize64
		if total > uint64(MaxTotalBytes) {
			return nil, tooLarge("the log's entries are over %d MiB uncompressed in all", MaxTotalBytes>>20)
		}
		switch f.Name {
		case headerEntry:
			if header != nil {
				return nil, refuse("has header.json twice")
			}
			header = f
		case journalStart:
			started = true
		}
	}
	if header == nil {
		if started {
			return nil, refuse("has no header.json, only _journal/start.json: the run never finished")
		}
		return nil, refuse("has no header.json: this ZIP is not an Inspect .eval log")
	}
	if header.Method != zip.Store && header.Method != zip.Deflate && header.Method != zipZstd {
		return nil, refuse("compresses header.json with ZIP method %d; Inspect logs use deflate (8) or Zstandard (93)", header.Method)
	}
	rc, err := header.Open()
	if err != nil {
		return nil, refuse("has a header.json that cannot be opened: %v", err)
	}
	defer rc.Close()
	lr := &limitedReader{r: rc, n: MaxEntryBytes}
	l, err := decodeHeader(lr, "(header.json) ")
	if lr.over {
		return nil, tooLarge("the log's header.json decompresses to more than %d MiB", MaxEntryBytes>>20)
	}
	if err != nil {
		return nil, err
	}
	l.Format = FormatEval
	return l, nil
}

// limitedReader reads at most n bytes and records whether r held more.
type limitedReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if k, _ := l.r.Read(one[:]); k > 0 {
			l.over = true
		}
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// zstdDecoders keeps Zstandard decoders for reuse; each holds its window.
var zstdDecoders sync.Pool

// zstdDecompressor is archive/zip's decompressor for method 93.
func zstdDecompressor(r io.Reader) io.ReadCloser {
	if d, ok := zstdDecoders.Get().(*zstd.Decoder); ok {
		if err := d.Reset(r); err == nil {
			return &pooledZstd{d: d}
		}
	}
	d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(zstdMaxWindow), zstd.WithDecoderMaxMemory(uint64(MaxEntryBytes)+1))
	if err != nil {
		return io.NopCloser(errReader{err})
	}
	return &pooledZstd{d: d}
}

// pooledZstd returns its decoder to the pool when closed.
type pooledZstd struct{ d *zstd.Decoder }

func (p *pooledZstd) Read(b []byte) (int, error) {
	if p.d == nil {
		return 0, errors.New("zstd: read after close")
	}
	return p.d.Read(b)
}

func (p *pooledZstd) Close() error {
	if p.d != nil {
		_ = p.d.Reset(nil)
		zstdDecoders.Put(p.d)
		p.d = nil
	}
	return nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
