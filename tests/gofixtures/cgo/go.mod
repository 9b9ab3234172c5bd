module gofixture/cgo

go 1.15
