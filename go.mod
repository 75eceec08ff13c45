module github.com/braid-net/braid

go 1.26.8

require (
	github.com/coder/websocket v1.8.15
	golang.org/x/net v0.62.0
	golang.org/x/sys v0.50.0
)

require golang.org/x/text v0.43.0 // indirect
