// Package store owns Perfloop's application database: the GORM models, the
// versioned SQL migrations and the repositories the API and the activities use.
//
// One code path serves both backends: SQLite (pure Go, the modernc engine that
// the embedded Temporal server also links, so the binary carries one SQLite)
// for `perfloop dev` and tests, and MySQL 8 / MariaDB for production.
// Migrations are plain SQL written in the subset both engines accept, so the
// schema a developer tests on is the schema production runs.
//
// One file per entity holds its model and its methods: cycles.go,
// tasks.go, evaluations.go, targets.go, metrics.go, results.go,
// calibration.go, meetings.go, interviews.go, idps.go, nominations.go,
// notifications.go and deliveries.go for the engine's data; org.go,
// tokens.go, templates.go and audit.go for the organisation's. The task
// kinds and states are engine's typed constants.
//
// store must never import api, workflows, activities or worker.
package store
