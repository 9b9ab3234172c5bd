// Every toolchain from 1.15 up builds this module. "go 1.18" rather than
// 1.15: with 1.15 here, Go 1.19 refuses generics.go (type parameters need
// -lang=go1.18; only 1.21+ let a file's //go:build line raise it), while
// Go 1.15 ignores a language version newer than itself and leaves
// generics.go out by its "+build go1.18" line.
module gofixture

go 1.18
