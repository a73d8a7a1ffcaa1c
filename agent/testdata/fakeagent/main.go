// Command fakeagent stands in for a release of handwash in the agent's
// self-update tests, which build it with go build. It answers
// 'handwash agent selftest --config FILE' as handwash does, or fails it in
// the way it was built to. Being under testdata, it is not part of ./...
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"time"
)

// Set with -ldflags "-X main.version=1.3.0 -X main.selftest=fail".
var (
	version = "0.0.0"
	// selftest is pass, fail (exit 1 with a reason), or hang (never answer).
	selftest = "pass"
)

func main() {
	args := os.Args[1:]
	switch {
	case len(args) >= 2 && args[0] == "agent" && args[1] == "selftest":
		switch selftest {
		case "fail":
			fmt.Fprintln(os.Stderr, "cannot read the agent's configuration: broken on purpose")
			os.Exit(1)
		case "hang":
			time.Sleep(time.Hour)
		}
		if len(args) == 4 && args[2] == "--config" {
			if _, err := os.Stat(args[3]); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		json.NewEncoder(os.Stdout).Encode(map[string]string{"version": version, "os": runtime.GOOS, "arch": runtime.GOARCH})
	case len(args) >= 1 && args[0] == "version":
		fmt.Printf("handwash %s (%s/%s)\n", version, runtime.GOOS, runtime.GOARCH)
	default:
		fmt.Fprintln(os.Stderr, "fakeagent: unknown command")
		os.Exit(2)
	}
}
