package dashboard

// The staff password page's WebAssembly and its loader, in static/.
//go:generate go run ./internal/buildwasm
