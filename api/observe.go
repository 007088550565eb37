package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/monitoring"
)

// observeRequests times each request under its route template, never the
// raw path: ids in paths would make a series per cycle and per task.
func observeRequests(m *monitoring.Metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		nameSpan(c, route)
		m.ObserveRequest(route, c.Request.Method, c.Writer.Status(), time.Since(start))
	}
}
