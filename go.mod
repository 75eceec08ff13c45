module github.com/braid-net/braid

go 1.26.8
