//go:build !unix

package devserver

// lockDataDir is a no-op where flock is unavailable: a second server on the
// same data directory is not detected there.
func lockDataDir(string) (unlock func(), err error) { return func() {}, nil }
