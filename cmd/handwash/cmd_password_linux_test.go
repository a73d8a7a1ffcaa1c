//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal: the program reads from tty, and the
// test types into (and reads the screen from) pt.
func openPTY(t *testing.T) (pt, tty *os.File) {
	t.Helper()
	pt, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { pt.Close() })
	fd := int(pt.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("cannot unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("no pseudo-terminal number: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return pt, tty
}

func echoOn(t *testing.T, tty *os.File) bool {
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitEcho waits until the terminal's echo is on or off.
func waitEcho(t *testing.T, tty *os.File, on bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); echoOn(t, tty) != on; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("echo never turned %v", map[bool]string{true: "on", false: "off"}[on])
		}
	}
}

// From a terminal, the password is asked for on standard error and read
// with echo off, so it never shows on the screen; echo is on again after.
func TestPasswordCheckFromTerminal(t *testing.T) {
	pt, tty := openPTY(t)
	screen := make(chan string, 1)
	go func() {
		var all []byte
		buf := make([]byte, 4096)
		for {
			n, err := pt.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				screen <- string(all)
				return
			}
		}
	}()
	if !echoOn(t, tty) {
		t.Fatal("echo is off before the check")
	}
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"password", "check", "--no-breach-check"}, tty, &out, &errOut)
	}()
	waitEcho(t, tty, false)
	const pw = "P@ssw0rd"
	if _, err := pt.Write([]byte(pw + "\r")); err != nil {
		t.Fatal(err)
	}
	code := <-done
	if code != exitFindings {
		t.Errorf("exit %d, want %d:\n%s%s", code, exitFindings, out.String(), errOut.String())
	}
	wantAll(t, "standard error", errOut.String(), "Password to check (it will not show as you type): ")
	wantAll(t, "output", out.String(), "Strength: 0 of 4, very weak")
	if !echoOn(t, tty) {
		t.Error("echo is still off after the check")
	}
	tty.Close()
	pt.Close()
	if s := <-screen; strings.Contains(s, pw) || strings.Contains(s, "ssw0") {
		t.Errorf("the password showed on the terminal: %q", s)
	}
	noSecrets(t, "output", out.String()+errOut.String(), pw)
}

// Interrupted while asking (Ctrl-C), the terminal's echo is put back.
func TestPasswordCheckTerminalInterrupted(t *testing.T) {
	_, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"password", "check", "--no-breach-check"}, tty, &out, &errOut)
	}()
	waitEcho(t, tty, false)
	cancel()
	if code := <-done; code != exitUsage || !strings.Contains(errOut.String(), "stopped: no password was checked") || out.String() != "" {
		t.Errorf("interrupted: exit %d:\n%s%s", code, out.String(), errOut.String())
	}
	if !echoOn(t, tty) {
		t.Error("echo is still off after the interruption")
	}
}
