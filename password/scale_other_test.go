//go:build !linux

package password

import "errors"

func dropFromCache(string) error { return errors.New("only on Linux") }
