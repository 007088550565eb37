package workflows

// SetHistoryBudget lets a test make a run hand over after few events.
func SetHistoryBudget(n int) (restore func()) {
	old := historyBudget
	historyBudget = n
	return func() { historyBudget = old }
}
