// SPDX-License-Identifier: GPL-2.0-only

// gosymlist: the Go side of the symbolizer oracle (scripts/go-oracle).
// It reads a binary's pclntab with the standard library's debug/gosym,
// like go tool addr2line, but finds it the way the runtime does, which
// addr2line does not in two cases:
//   - PIE: Go 1.15's and 1.19's addr2line look for ".gopclntab" only; PIE has
//     ".data.rel.ro.gopclntab"; and in PIE the pclntab's pointers (text
//     start, Go 1.15's function entries) are zero in the file, filled in
//     by R_X86_64_RELATIVE relocations. Those are applied here.
//   - stripped and externally linked: addr2line takes the text start from
//     the runtime.text symbol, else from the start of .text; with
//     -linkmode=external (cgo; Debian's caddy and restic) .text starts
//     with C code, so without symbols every answer is off. The pclntab
//     header holds the real text start (Go 1.18+); it is used here.
//
// Build it with the newest toolchain at hand: debug/gosym reads the
// pclntab formats of its own and older releases only.
//
//	gosymlist funcs BINARY          entry, end and name of every function
//	gosymlist lookup BINARY         addresses on stdin, answered like addr2line
//	gosymlist info BINARY           pclntab magic, text start, .text start
//	gosymlist addrs [flags] BINARY  the addresses to test (see cmdAddrs)
//	gosymlist twin A B              fails unless A and B share text and pclntab
//	gosymlist expect -bin BINARY ...  llvm-symbolizer output on stdin to
//	                                expected answers (see cmdExpect)
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
)

type binfile struct {
	f     *elf.File
	tab   *gosym.Table
	text  uint64 // where the pclntab's function offsets start
	magic uint32
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gosymlist: "+format+"\n", args...)
	os.Exit(1)
}

func pclntabSection(f *elf.File) *elf.Section {
	for _, name := range []string{".gopclntab", ".data.rel.ro.gopclntab"} {
		if s := f.Section(name); s != nil {
			return s
		}
	}
	return nil
}

// relocate applies the R_X86_64_RELATIVE relocations that land in data
// (loaded at addr): the values the dynamic loader would put there, minus
// the load bias, i.e. link-time addresses.
func relocate(f *elf.File, data []byte, addr uint64) error {
	const rRelative = 8
	for _, s := range f.Sections {
		if s.Type != elf.SHT_RELA {
			continue
		}
		r, err := s.Data()
		if err != nil {
			return err
		}
		for i := 0; i+24 <= len(r); i += 24 {
			off := binary.LittleEndian.Uint64(r[i:])
			info := binary.LittleEndian.Uint64(r[i+8:])
			add := binary.LittleEndian.Uint64(r[i+16:])
			if info&0xffffffff != rRelative || off < addr || off+8 > addr+uint64(len(data)) {
				continue
			}
			binary.LittleEndian.PutUint64(data[off-addr:], add)
		}
	}
	return nil
}

func symbolAddr(f *elf.File, name string) (uint64, bool) {
	syms, err := f.Symbols()
	if err != nil {
		return 0, false
	}
	for _, s := range syms {
		if s.Name == name {
			return s.Value, true
		}
	}
	return 0, false
}

func open(path string) *binfile {
	f, err := elf.Open(path)
	if err != nil {
		die("%v", err)
	}
	if f.Machine != elf.EM_X86_64 {
		die("%s: only x86-64 is handled", path)
	}
	s := pclntabSection(f)
	if s == nil {
		die("%s: no .gopclntab or .data.rel.ro.gopclntab section", path)
	}
	data, err := s.Data()
	if err != nil {
		die("%s: %v", path, err)
	}
	if err := relocate(f, data, s.Addr); err != nil {
		die("%s: relocations: %v", path, err)
	}
	if len(data) < 8+8*8 {
		die("%s: pclntab of %d bytes is too short", path, len(data))
	}
	b := &binfile{f: f, magic: binary.LittleEndian.Uint32(data)}
	switch b.magic {
	case 0xfffffff0, 0xfffffff1: // Go 1.18-1.19, 1.20+: text start in the header
		b.text = binary.LittleEndian.Uint64(data[8+2*8:])
	default: // Go 1.2-1.17: absolute entry addresses; text unused
		if t := f.Section(".text"); t != nil {
			b.text = t.Addr
		}
	}
	if b.text == 0 {
		if a, ok := symbolAddr(f, "runtime.text"); ok {
			b.text = a
		} else {
			die("%s: no text start in the pclntab header nor a runtime.text symbol", path)
		}
	}
	b.tab, err = gosym.NewTable(nil, gosym.NewLineTable(data, b.text))
	if err != nil {
		die("%s: %v", path, err)
	}
	if len(b.tab.Funcs) == 0 {
		die("%s: pclntab magic %#x not understood by this debug/gosym: build gosymlist with a newer Go", path, b.magic)
	}
	return b
}

func cmdFuncs(path string) {
	b := open(path)
	w := bufio.NewWriter(os.Stdout)
	for _, fn := range b.tab.Funcs {
		fmt.Fprintf(w, "%#x %#x %s\n", fn.Entry, fn.End, fn.Name)
	}
	w.Flush()
}

func (b *binfile) answer(w io.Writer, pc uint64) {
	file, line, fn := b.tab.PCToLine(pc)
	name := "?"
	if fn != nil {
		name = fn.Name
	} else {
		file, line = "?", 0
	}
	fmt.Fprintf(w, "%s\n%s:%d\n", name, file, line)
}

func cmdLookup(path string) {
	b := open(path)
	in := bufio.NewScanner(os.Stdin)
	w := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		pc, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(in.Text()), "0x"), 16, 64)
		if err != nil {
			die("stdin: %q: %v", in.Text(), err)
		}
		b.answer(w, pc)
	}
	w.Flush()
}

// inPadding: the PC is past the end of its function's pc tables, in the
// INT3 fill before the next function (addr2line answers line -1 there).
func (b *binfile) inPadding(pc uint64) bool {
	_, line, fn := b.tab.PCToLine(pc)
	return fn == nil || line < 0
}

// cmdAddrs prints the addresses to test, link-time, hex, one a line:
// every function's entry (or -entries N of them); for each function whose
// name starts with -all, its last byte and -per PCs at random inside it;
// and -random PCs at random inside any function (weighted by size).
//
// "Inside" leaves out the INT3 padding between functions, where DWARF
// knows nothing and the pclntab answers line -1. A function's extent is
// its ELF symbol's size when the binary has a symbol table (checked
// against the pclntab: the symbol's last byte has a line, the byte after
// it none); without one, the PCs that have a line in the pclntab (a
// prefix of [entry, next entry), found by bisection) and random PCs in
// padding are drawn again.
func cmdAddrs(args []string) {
	fs := flag.NewFlagSet("addrs", flag.ExitOnError)
	seed := fs.Int64("seed", 1, "random seed")
	nrand := fs.Int("random", 1000, "random PCs over all functions")
	per := fs.Int("per", 8, "random PCs in each function matching -all")
	all := fs.String("all", "main.", "name prefix of the functions covered closely")
	entries := fs.String("entries", "all", "function entries to list: all, or how many to sample")
	fs.Parse(args)
	if fs.NArg() != 1 {
		die("usage: gosymlist addrs [flags] BINARY")
	}
	b := open(fs.Arg(0))
	size := map[uint64]uint64{}
	if syms, err := b.f.Symbols(); err == nil {
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Size > 0 {
				size[s.Value] = s.Size
			}
		}
	}
	// end: the first byte past fn's code.
	end := func(fn *gosym.Func) uint64 {
		if len(size) == 0 {
			lo, hi := fn.Entry, fn.End
			for lo+1 < hi {
				m := lo + (hi-lo)/2
				if b.inPadding(m) {
					hi = m
				} else {
					lo = m
				}
			}
			return hi
		}
		sz, ok := size[fn.Entry]
		if !ok {
			return 0 // in a symbol table every Go function has a size
		}
		e := fn.Entry + sz
		if e > fn.End {
			die("%s: symbol size %#x overlaps the next function at %#x", fn.Name, sz, fn.End)
		}
		if b.inPadding(e - 1) {
			die("%s: symbol says %#x is inside, pclntab says padding", fn.Name, e-1)
		}
		if e < fn.End && !b.inPadding(e) {
			die("%s: symbol says %#x is padding, pclntab has a line for it", fn.Name, e)
		}
		return e
	}
	type extent struct {
		fn         *gosym.Func
		start, end uint64 // end: of the code, or (no symbols) of the slot
	}
	var fns []extent
	var total uint64
	for i := range b.tab.Funcs {
		fn := &b.tab.Funcs[i]
		e := fn.End
		if len(size) > 0 {
			if e = end(fn); e == 0 {
				continue
			}
		}
		fns = append(fns, extent{fn, fn.Entry, e})
		total += e - fn.Entry
	}
	if len(fns) == 0 {
		die("no functions")
	}
	rng := rand.New(rand.NewSource(*seed))
	seen := map[uint64]bool{}
	var out []uint64
	add := func(pc uint64) {
		if !seen[pc] {
			seen[pc] = true
			out = append(out, pc)
		}
	}
	if *entries == "all" {
		for _, f := range fns {
			add(f.start)
		}
	} else {
		n, err := strconv.Atoi(*entries)
		if err != nil {
			die("-entries: %v", err)
		}
		for _, i := range rng.Perm(len(fns)) {
			if n == 0 {
				break
			}
			add(fns[i].start)
			n--
		}
	}
	for _, f := range fns {
		if *all == "" || !strings.HasPrefix(f.fn.Name, *all) {
			continue
		}
		e := f.end
		if len(size) == 0 {
			e = end(f.fn)
		}
		add(f.start)
		add(e - 1)
		for i := 0; i < *per; i++ {
			add(f.start + uint64(rng.Int63n(int64(e-f.start))))
		}
	}
	// cum[i]: the bytes of the functions before fns[i].
	cum := make([]uint64, len(fns)+1)
	for i, f := range fns {
		cum[i+1] = cum[i] + f.end - f.start
	}
	for i, tries := 0, 0; i < *nrand; tries++ {
		if tries > 100**nrand {
			die("cannot find %d PCs outside padding", *nrand)
		}
		off := uint64(rng.Int63n(int64(total)))
		j := sort.Search(len(fns), func(j int) bool { return cum[j+1] > off })
		if pc := fns[j].start + off - cum[j]; len(size) > 0 || !b.inPadding(pc) {
			add(pc)
			i++
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	w := bufio.NewWriter(os.Stdout)
	for _, pc := range out {
		fmt.Fprintf(w, "%#x\n", pc)
	}
	w.Flush()
}

func sectionBytes(f *elf.File, name string) []byte {
	s := f.Section(name)
	if s == nil {
		return nil
	}
	d, err := s.Data()
	if err != nil {
		die("%s: %v", name, err)
	}
	return d
}

// cmdTwin: a stripped binary may take its oracle from its unstripped twin
// only if the twin describes the same code at the same addresses. The Go
// linker's -s -w changes the data layout (it leaves out some read-only
// data), so the two .text sections differ in the RIP-relative
// displacements of data references: .text must sit at the same address
// with the same size, and differ in runs of at most 4 bytes (one
// displacement); the pclntab, which fixes every function's extent and
// every pc table, must be the same bytes.
func cmdTwin(a, b string) {
	fa, err := elf.Open(a)
	if err != nil {
		die("%v", err)
	}
	fb, err := elf.Open(b)
	if err != nil {
		die("%v", err)
	}
	ta, tb := fa.Section(".text"), fb.Section(".text")
	if ta == nil || tb == nil {
		die("no .text in %s or %s", a, b)
	}
	if ta.Addr != tb.Addr || ta.Size != tb.Size {
		die(".text: %#x+%#x in %s, %#x+%#x in %s", ta.Addr, ta.Size, a, tb.Addr, tb.Size, b)
	}
	da, db := sectionBytes(fa, ".text"), sectionBytes(fb, ".text")
	runs := 0
	for i := 0; i < len(da); i++ {
		if da[i] == db[i] {
			continue
		}
		j := i
		for j < len(da) && j < i+5 && da[j] != db[j] {
			j++
		}
		if j-i > 4 {
			die(".text: %s and %s differ in more than a displacement at %#x", a, b, ta.Addr+uint64(i))
		}
		runs++
		i = j
	}
	pa, pb := pclntabSection(fa), pclntabSection(fb)
	if pa == nil || pb == nil {
		die("no pclntab section in %s or %s", a, b)
	}
	if !bytes.Equal(sectionBytes(fa, pa.Name), sectionBytes(fb, pb.Name)) {
		die("pclntab: contents differ between %s and %s", a, b)
	}
	fmt.Printf("twins: same pclntab, same .text extent, %d data displacements differ\n", runs)
}

// dwarfName rewrites a DWARF function name as the pclntab spells it;
// elide: the pclntab is Go 1.18's or 1.19's (see below).
func dwarfName(s string, elide bool) string {
	if s == "??" {
		return "?"
	}
	// Assembly functions and ABI wrappers: DWARF (or, without a DIE, the
	// ELF symbol) names the ABI0 symbol, the pclntab the function.
	s = strings.TrimSuffix(s, ".abi0")
	// Go 1.18 and 1.19 linkers write every name with brackets (generic
	// instantiations, but also type..eq.[6]string) into the pclntab with
	// everything from the first '[' to the last ']' as "[...]"
	// (cmd/link/internal/ld/pcln.go, nameParts); DWARF keeps the shape
	// types. From Go 1.20 on the pclntab has full names too (the runtime
	// elides when it prints).
	if i := strings.IndexByte(s, '['); elide && i >= 0 {
		if j := strings.LastIndexByte(s, ']'); j > i {
			s = s[:i] + "[...]" + s[j+1:]
		}
	}
	return s
}

// dwarfPos drops the column, spells the compiler-made file as the pclntab
// does, and returns line 0 (DWARF's "no source line") as "".
func dwarfPos(s string) (string, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", fmt.Errorf("no line in %q", s)
	}
	if _, err := strconv.Atoi(s[i+1:]); err == nil {
		if j := strings.LastIndexByte(s[:i], ':'); j >= 0 {
			if _, err := strconv.Atoi(s[j+1 : i]); err == nil {
				s, i = s[:i], j // file:line:column
			}
		}
	}
	line, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return "", fmt.Errorf("no line in %q", s)
	}
	if line == 0 {
		return "", nil
	}
	return strings.TrimPrefix(s[:i], "./") + ":" + s[i+1:], nil
}

type frame struct{ fn, pos string }

// callName is the identifier a call to fn is written with, or "" when
// there is none to look for (function literals, init.0, wrappers).
func callName(fn string) string {
	if i := strings.Index(fn, "[...]"); i >= 0 {
		fn = fn[:i] + fn[i+5:]
	} else if i := strings.IndexByte(fn, '['); i >= 0 {
		if j := strings.LastIndexByte(fn, ']'); j > i {
			fn = fn[:i] + fn[j+1:]
		}
	}
	if i := strings.LastIndexAny(fn, "./"); i >= 0 {
		fn = fn[i+1:]
	}
	if fn == "" || strings.HasPrefix(fn, "func") || strings.Trim(fn, "0123456789") == "" {
		return ""
	}
	return fn
}

type sources map[string][]string

func (s sources) line(file string, n int) (string, bool) {
	lines, ok := s[file]
	if !ok {
		if data, err := os.ReadFile(file); err == nil {
			lines = strings.Split(string(data), "\n")
		}
		s[file] = lines
	}
	if n < 1 || n > len(lines) {
		return "", lines != nil
	}
	return lines[n-1], true
}

// callSiteOK: the caller's line of an inlined call in a file under dir
// names the callee. DWARF's DW_AT_call_line is not checked against the
// pclntab otherwise, and it has been wrong (cgo files, Go 1.15 and 1.19:
// the line in cgo's rewritten file, not the //line-mapped one). Only the
// fixtures' sources, whose calls are all written out by name: elsewhere
// an inlined callee can be a devirtualized function value (Go 1.22
// inlines syscall.Write at internal/poll's "n, err := fn(fd, p)").
func (s sources) callSiteOK(dir string, caller frame, callee string) bool {
	name := callName(callee)
	i := strings.LastIndexByte(caller.pos, ':')
	file := caller.pos[:i]
	if name == "" || dir == "" || !strings.HasPrefix(file, dir+"/") {
		return true
	}
	n, _ := strconv.Atoi(caller.pos[i+1:])
	text, ok := s.line(file, n)
	return !ok || strings.Contains(text, name)
}

// cmdExpect turns llvm-symbolizer --inlining --print-address output for
// BINARY (per address: the address, function and file:line:column of each
// frame, innermost first, an empty line) into the expected answers:
// -a2l gets addr2line's view (outermost function, innermost file:line) of
// every address; -inl every frame, of the addresses listed in -inl-addrs,
// and -counts the number of frames of each of those.
//
// DWARF and the pclntab are two renderings of the compiler's one record,
// and they are reconciled here, address by address, against the pclntab
// (debug/gosym): the physical function and the innermost file:line must
// agree after the spelling rules of dwarfName and dwarfPos, with two
// exceptions where the pclntab's answer is taken:
//   - DWARF has no line (line 0, or no row at all) at the entry of some
//     compiler-generated functions (ABI wrappers, type..eq.*, method
//     value wrappers; Go 1.23); the pclntab says "<autogenerated>:1",
//     which is what the runtime's own tracebacks print.
//   - Go 1.23 pclntab names of function-local types keep the middle dot
//     (type:.eq.runtime.untracedG·4), DWARF and the ELF symbol a '.'.
//
// The inlined frames have no counterpart in debug/gosym. Their call lines
// are checked against the source with -src (callSiteOK); a lone wrapper
// frame at a line of a real file is a missing inlined frame; addresses
// with either fault are left out of -inl. Any other disagreement is a
// broken oracle: reported, and the exit status is 1.
func cmdExpect(args []string) {
	fs := flag.NewFlagSet("expect", flag.ExitOnError)
	bin := fs.String("bin", "", "the binary symbolized")
	a2lOut := fs.String("a2l", "", "write addr2line's view here")
	inlOut := fs.String("inl", "", "write every frame here")
	inlAddrs := fs.String("inl-addrs", "", "write the addresses -inl answers here")
	cntOut := fs.String("counts", "", "write the frame count of each address here")
	srcDir := fs.String("src", "", "check inlined call lines in the sources under this directory")
	fs.Parse(args)
	if *bin == "" || *a2lOut == "" || *inlOut == "" || *inlAddrs == "" || *cntOut == "" || fs.NArg() != 0 {
		die("usage: gosymlist expect -bin BINARY -a2l FILE -inl FILE -inl-addrs FILE -counts FILE [-src DIR] < llvm-output")
	}
	b := open(*bin)
	elide := b.magic == 0xfffffff0
	var files []*os.File
	create := func(name string) *bufio.Writer {
		f, err := os.Create(name)
		if err != nil {
			die("%v", err)
		}
		files = append(files, f)
		return bufio.NewWriter(f)
	}
	a2l, inl, ia, cnt := create(*a2lOut), create(*inlOut), create(*inlAddrs), create(*cntOut)
	bad, droppedCalls, droppedInl := 0, 0, 0
	src := sources{}
	complain := func(pc uint64, format string, args ...interface{}) {
		if bad++; bad <= 10 {
			fmt.Fprintf(os.Stderr, "gosymlist: %#x: %s\n", pc, fmt.Sprintf(format, args...))
		}
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		pc, err := strconv.ParseUint(strings.TrimPrefix(in.Text(), "0x"), 16, 64)
		if err != nil {
			die("llvm-symbolizer output: %q: not an address (want --print-address)", in.Text())
		}
		var frames []frame
		for in.Scan() && in.Text() != "" {
			name := in.Text()
			if !in.Scan() {
				die("llvm-symbolizer output ends after a function name")
			}
			pos, err := dwarfPos(in.Text())
			if err != nil {
				die("%#x: %v", pc, err)
			}
			frames = append(frames, frame{dwarfName(name, elide), pos})
		}
		if len(frames) == 0 {
			die("%#x: no frames in llvm-symbolizer's output", pc)
		}
		file, line, fn := b.tab.PCToLine(pc)
		if fn == nil || line <= 0 {
			complain(pc, "not in a function's pc tables (padding?)")
			continue
		}
		want := frame{fn.Name, fmt.Sprintf("%s:%d", file, line)}
		inner, outer := &frames[0], &frames[len(frames)-1]
		if outer.fn != want.fn {
			if outer.fn == strings.ReplaceAll(want.fn, "·", ".") {
				outer.fn = want.fn
			} else {
				complain(pc, "DWARF function %s, pclntab %s", outer.fn, want.fn)
			}
		}
		if inner.pos == "" {
			inner.pos = want.pos
		} else if inner.pos != want.pos {
			complain(pc, "DWARF line %s, pclntab %s", inner.pos, want.pos)
		}
		fmt.Fprintf(a2l, "%s\n%s\n", outer.fn, inner.pos)
		for _, f := range frames {
			if f.fn == "?" || f.pos == "" {
				complain(pc, "DWARF frame %q at %q is incomplete", f.fn, f.pos)
			}
		}
		calls := true
		for i := 1; i < len(frames); i++ {
			calls = calls && src.callSiteOK(*srcDir, frames[i], frames[i-1].fn)
		}
		if !calls {
			droppedCalls++
			continue
		}
		// A compiler-generated function (a method wrapper) alone, at a
		// line of a real file: that line can only be an inlined
		// callee's, and DWARF lacks the callee's frame, because its
		// DW_TAG_inlined_subroutine ranges miss this PC. Seen (Go 1.15,
		// 1.19) on the NOP the compiler puts after a call to a no-return
		// function (panicIndex) at the end of the inlined body: the line
		// tables give it the callee's line, the pclntab's inline tree
		// the callee's frame. Not package init functions: generated too
		// (<autogenerated> at the entry from Go 1.22), they run the
		// package's variable initializers at those initializers' lines.
		if len(frames) == 1 && file != "<autogenerated>" && !strings.HasSuffix(fn.Name, ".init") {
			if efile, _, _ := b.tab.PCToLine(fn.Entry); efile == "<autogenerated>" {
				droppedInl++
				continue
			}
		}
		fmt.Fprintf(ia, "%#x\n", pc)
		for _, f := range frames {
			fmt.Fprintf(inl, "%s\n%s\n", f.fn, f.pos)
		}
		fmt.Fprintf(cnt, "%d\n", len(frames))
	}
	for i, w := range []*bufio.Writer{a2l, inl, ia, cnt} {
		if err := w.Flush(); err != nil {
			die("%v", err)
		}
		files[i].Close()
	}
	if bad > 0 {
		die("%s: DWARF and pclntab disagree at %d addresses: oracle invalid", *bin, bad)
	}
	var notes []string
	if droppedCalls > 0 {
		notes = append(notes, fmt.Sprintf("%d where DWARF's inline call lines do not match the source", droppedCalls))
	}
	if droppedInl > 0 {
		notes = append(notes, fmt.Sprintf("%d where DWARF misses an inlined frame", droppedInl))
	}
	if len(notes) > 0 {
		fmt.Printf("addresses left out: %s\n", strings.Join(notes, ", "))
	}
}

// cmdInfo prints what the oracle needs to know to judge addr2line: the
// pclntab magic, the text start the pclntab is relative to, and the start
// of .text (where addr2line assumes it without a runtime.text symbol).
func cmdInfo(path string) {
	b := open(path)
	var sect uint64
	if s := b.f.Section(".text"); s != nil {
		sect = s.Addr
	}
	fmt.Printf("magic=%#x text=%#x textsect=%#x\n", b.magic, b.text, sect)
}

func main() {
	if len(os.Args) < 2 {
		die("usage: gosymlist funcs|lookup|info|addrs|twin|expect ...")
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "funcs":
		if len(args) != 1 {
			die("usage: gosymlist funcs BINARY")
		}
		cmdFuncs(args[0])
	case "lookup":
		if len(args) != 1 {
			die("usage: gosymlist lookup BINARY")
		}
		cmdLookup(args[0])
	case "addrs":
		cmdAddrs(args)
	case "twin":
		if len(args) != 2 {
			die("usage: gosymlist twin A B")
		}
		cmdTwin(args[0], args[1])
	case "expect":
		cmdExpect(args)
	case "info":
		if len(args) != 1 {
			die("usage: gosymlist info BINARY")
		}
		cmdInfo(args[0])
	default:
		die("unknown command %q", os.Args[1])
	}
}
