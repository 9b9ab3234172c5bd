module gofixture/gosymlist

go 1.19
