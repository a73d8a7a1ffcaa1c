package main

import "github.com/handwash/handwash/collect"

func collectPlatform() string { return string(collect.Platform()) }
