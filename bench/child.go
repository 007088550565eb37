package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is one process of the split shape: the Temporal server, a
// Perfloop worker or the raw worker, started from the perfloop binary.
// Its stderr goes to the bench's log, each line prefixed with its name.
type child struct {
	name string
	cmd  *exec.Cmd
	// exited is closed once the process has ended and been reaped.
	exited  chan struct{}
	waitErr error
	ready   chan string
	// collected hears the child's collectedLine (see CollectEnv).
	collected chan struct{}
	// tail keeps the last lines of stderr for an error message.
	mu   sync.Mutex
	tail []string
}

// readyLine says whether a line of a child's output announces that it is
// ready, and what it announced (an address, or the line itself).
type readyLine func(stdout bool, line string) (string, bool)

// childStartTimeout bounds how long a child may take to say it is ready;
// a cold embedded Temporal server takes seconds, not minutes.
const childStartTimeout = 90 * time.Second

// childStopTimeout is how long a child may take to stop after SIGTERM
// before it is killed (a worker finishes its activities in flight first).
const childStopTimeout = 20 * time.Second

// spawn starts `binary args...` with env added to this process's
// environment, and returns once it has announced that it is ready, with
// what it announced. On any error the child is stopped and reaped before
// spawn returns.
func (e *Engine) spawn(ctx context.Context, binary, name string, env []string, ready readyLine, args ...string) (*child, string, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append(cmd.Environ(), CollectEnv+"=1"), env...)
	cmd.SysProcAttr = childAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", fmt.Errorf("start %s: %w", name, err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, exited: make(chan struct{}), ready: make(chan string, 1), collected: make(chan struct{}, 1)}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start %s (%s %s): %w", name, binary, strings.Join(args, " "), err)
	}
	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() { defer pipes.Done(); c.read(stdout, true, ready, e.log) }()
	go func() { defer pipes.Done(); c.read(stderr, false, ready, e.log) }()
	go func() {
		// Wait closes the pipes, so the readers must have drained them first.
		pipes.Wait()
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	e.logf("%s: started, pid %d", name, cmd.Process.Pid)

	timer := time.NewTimer(childStartTimeout)
	defer timer.Stop()
	select {
	case v := <-c.ready:
		return c, v, nil
	case <-c.exited:
		return nil, "", fmt.Errorf("%s exited while starting (%v); its last lines:\n%s", name, c.waitErr, c.lastLines())
	case <-timer.C:
		c.stop()
		return nil, "", fmt.Errorf("%s did not say it was ready within %s; its last lines:\n%s", name, childStartTimeout, c.lastLines())
	case <-ctx.Done():
		c.stop()
		return nil, "", ctx.Err()
	}
}

// read copies one of the child's streams line by line: stderr to the
// bench's log with the child's name, stdout nowhere (the children write
// only their ready line there). The first line ready accepts is handed on.
func (c *child) read(r io.Reader, stdout bool, ready readyLine, log io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := ready(stdout, line); ok {
			select {
			case c.ready <- v:
			default:
			}
		}
		if stdout {
			continue
		}
		if line == collectedLine {
			select {
			case c.collected <- struct{}{}:
			default:
			}
			continue
		}
		fmt.Fprintf(log, "%s| %s\n", c.name, line)
		c.mu.Lock()
		c.tail = append(c.tail, line)
		if len(c.tail) > 20 {
			c.tail = c.tail[1:]
		}
		c.mu.Unlock()
	}
	// A scanner error (a line over 1 MiB) must not block the child on a
	// full pipe; the rest of the stream is dropped.
	_, _ = io.Copy(io.Discard, r)
}

func (c *child) lastLines() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tail) == 0 {
		return "  (nothing on stderr)"
	}
	return "  " + strings.Join(c.tail, "\n  ")
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// collectTimeout bounds a child's full collection; a worker with a
// thousand workflows in its cache takes well under a second.
const collectTimeout = 30 * time.Second

// collect has the child collect garbage and hand freed memory back to the
// kernel, and returns once it says it has.
func (c *child) collect(ctx context.Context) error {
	select {
	case <-c.collected: // an answer nobody waited for
	default:
	}
	if err := askCollect(c.pid()); err != nil {
		return fmt.Errorf("ask %s to collect garbage: %w", c.name, err)
	}
	t := time.NewTimer(collectTimeout)
	defer t.Stop()
	select {
	case <-c.collected:
		return nil
	case <-c.exited:
		return fmt.Errorf("%s exited (%v); its last lines:\n%s", c.name, c.waitErr, c.lastLines())
	case <-t.C:
		return fmt.Errorf("%s did not collect garbage within %s", c.name, collectTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// running is false once the child has ended.
func (c *child) running() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// stop asks the child to stop (SIGTERM), kills it if it has not within
// childStopTimeout, and returns once it has been reaped.
func (c *child) stop() {
	if !c.running() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(childStopTimeout)
	defer t.Stop()
	select {
	case <-c.exited:
	case <-t.C:
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

// stopAll stops the children at once and returns when every one has been
// reaped, logging how each ended.
func (e *Engine) stopAll(cs ...*child) {
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.stop()
		}()
	}
	wg.Wait()
	for _, c := range cs {
		var exit *exec.ExitError
		switch err := c.waitErr; {
		case err == nil:
			e.logf("%s: stopped", c.name)
		case errors.As(err, &exit) && !exit.Exited():
			e.logf("%s: ended by %v", c.name, exit)
		default:
			e.logf("%s: stopped with %v", c.name, err)
		}
	}
}
