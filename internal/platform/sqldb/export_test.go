package sqldb

// LookupQueued is how many reads wait for l's next query.
func LookupQueued[T any](l *Lookup[T]) int {
	l.q.mu.Lock()
	defer l.q.mu.Unlock()
	return len(l.q.queue)
}
