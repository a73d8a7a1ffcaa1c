//go:build deps

// This file pins modules the packages under construction will use, so that
// go.mod does not change under several people at once. Removed once each is
// imported for real.
package handwash

import (
	_ "cel.dev/cel-go/cel"
	_ "github.com/goccy/go-yaml"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/invopop/jsonschema"
	_ "github.com/pierrec/lz4/v4"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/spf13/cobra"
	_ "github.com/ulikunitz/xz"
	_ "github.com/yusufpapurcu/wmi"
	_ "golang.org/x/sys/windows/registry"
)
