package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/perfloop/perfloop/engine"
)

// apiClient talks to a Perfloop API over HTTP the way the UI does: a
// request that fails or times out is sent again.
type apiClient struct {
	base string
	http *http.Client

	mu sync.Mutex
	// statuses counts every answer the API gave, by status code, so a test
	// can assert what clients saw during a fault.
	statuses map[int]int
	// noRetryAfter counts 503 answers without a Retry-After header.
	noRetryAfter int
	// transport counts requests that got no answer at all.
	transport int
}

func newAPIClient(base string) *apiClient {
	return &apiClient{base: base, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}, statuses: map[int]int{}}
}

// do sends one request with its own timeout.
func (c *apiClient) do(ctx context.Context, method, path, token string, body any, timeout time.Duration) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(data)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.mu.Lock()
		c.transport++
		c.mu.Unlock()
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	c.mu.Lock()
	c.statuses[res.StatusCode]++
	if res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "" {
		c.noRetryAfter++
	}
	c.mu.Unlock()
	return res.StatusCode, res.Header, data, err
}

// getJSON reads one resource, retrying until it answers 200.
func (c *apiClient) getJSON(ctx context.Context, path, token string, into any) error {
	for {
		status, _, body, err := c.do(ctx, http.MethodGet, path, token, nil, 10*time.Second)
		if err == nil && status == http.StatusOK {
			return json.Unmarshal(body, into)
		}
		if err == nil && status < 500 {
			return fmt.Errorf("GET %s: %d %s", path, status, body)
		}
		if err := pause(ctx, time.Second); err != nil {
			return fmt.Errorf("GET %s: %w (last: %d %v)", path, err, status, err)
		}
	}
}

// submission is one form a test sent and what became of it.
type submission struct {
	TaskID   string
	Kind     engine.TaskKind
	Token    string
	Form     map[string]any
	Accepted bool // some attempt was answered 200
	Closed   bool // an attempt was refused because an earlier one had been recorded
	Attempts int
}

// settle submits a form until the API gives a definite answer: 200, or 409
// for a task that is already submitted (an earlier attempt whose answer was
// lost). A 409 while the task is still open (a concurrent attempt in
// flight) and any 5xx or lost request are retried, as a person pressing
// the button again would.
func (c *apiClient) settle(ctx context.Context, s *submission) error {
	for {
		s.Attempts++
		status, hdr, body, err := c.do(ctx, http.MethodPost, "/api/v1/tasks/"+s.TaskID+"/submit", s.Token, s.Form, 30*time.Second)
		switch {
		case err != nil:
		case status == http.StatusOK:
			s.Accepted = true
			return nil
		case status == http.StatusConflict:
			var task struct {
				State string `json:"state"`
			}
			if err := c.getJSON(ctx, "/api/v1/tasks/"+s.TaskID, s.Token, &task); err != nil {
				return err
			}
			switch task.State {
			case "submitted":
				s.Closed = true
				return nil
			case "open":
			default:
				return fmt.Errorf("task %s (%s) is %s: %s", s.TaskID, s.Kind, task.State, body)
			}
		case status >= 500:
		default:
			return fmt.Errorf("submit %s (%s): %d %s", s.TaskID, s.Kind, status, body)
		}
		wait := 300 * time.Millisecond
		if secs, perr := strconv.Atoi(hdr.Get("Retry-After")); perr == nil && secs > 0 {
			// Honour the hint, but stay quick: the test measures recovery.
			wait = min(time.Duration(secs)*time.Second, 2*time.Second)
		}
		if err := pause(ctx, wait); err != nil {
			return fmt.Errorf("submit %s (%s): gave up after %d attempts: %w", s.TaskID, s.Kind, s.Attempts, err)
		}
	}
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// settleAll settles every submission with at most par in flight, calling
// progress after each one; it returns the first error.
func (c *apiClient) settleAll(ctx context.Context, subs []*submission, par int, progress func(done int)) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		done  int
	)
	jobs := make(chan *submission)
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				err := c.settle(ctx, s)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				done++
				n := done
				mu.Unlock()
				if progress != nil {
					progress(n)
				}
			}
		}()
	}
	for _, s := range subs {
		jobs <- s
	}
	close(jobs)
	wg.Wait()
	return first
}
