package payment

import "sync"

// knownIntents remembers intents this process left authorised, awaiting
// capture, by id: the order worker captures what it has just had
// authorised, and the capture can then write without reading the intent
// first. An entry is only a guess: the store writes from it only if the
// intent's version is still the same (UpdateIntentFrom), and reads the
// intent otherwise, so an entry made stale by another process, a webhook
// or a cancel costs a read and is never wrong.
type knownIntents struct {
	mu sync.Mutex
	m  map[string]Intent
}

// maxKnown bounds the memory: an intent authorised and never captured
// (its order was cancelled) stays until the map is full, then all go.
const maxKnown = 4096

func (k *knownIntents) put(it Intent) {
	it.Transitions = nil
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= maxKnown {
		k.m = make(map[string]Intent)
	}
	k.m[it.ID] = it
}

// take returns and forgets the intent id, if known.
func (k *knownIntents) take(id string) (Intent, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	it, ok := k.m[id]
	if ok {
		delete(k.m, id)
	}
	return it, ok
}
