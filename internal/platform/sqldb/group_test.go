package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Many callers at once through a Group: each gets its own outcome. A
// caller whose function fails (a rule, a unique violation, a panic) has
// nothing written, and the others' writes commit beside it; a caller whose
// context ends does not abort the batch it is in.
func TestGroupEachCallerItsOwnOutcome(t *testing.T) {
	migrated(t, func(t *testing.T, db *sqldb.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var mu sync.Mutex
		g := sqldb.NewGroup(db, 16, 1, &mu)
		ruleBroken := errors.New("rule broken")
		if _, err := db.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (999, 'taken')"); err != nil {
			t.Fatal(err)
		}
		const n = 120
		errsOf := make([]error, n)
		panicked := make([]any, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { panicked[i] = recover() }()
				callerCtx := ctx
				if i%10 == 3 {
					c, stop := context.WithCancel(ctx)
					stop() // hung up already: its work still runs
					callerCtx = c
				}
				errsOf[i] = g.InTx(callerCtx, func(ctx context.Context, tx *sql.Tx) error {
					name := fmt.Sprintf("w%d", i)
					if i%10 == 7 {
						name = "taken" // a conflict
					}
					if _, err := tx.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES ($1, $2)", i+1, name); err != nil {
						return sqldb.MapError(err)
					}
					switch i % 10 {
					case 5:
						return ruleBroken
					case 9:
						panic(fmt.Sprintf("boom %d", i))
					}
					return nil
				})
			}()
		}
		wg.Wait()

		want := 1 // "taken"
		for i := range n {
			switch i % 10 {
			case 5:
				if !errors.Is(errsOf[i], ruleBroken) {
					t.Errorf("caller %d: %v, want its own error", i, errsOf[i])
				}
			case 7:
				if !errors.Is(errsOf[i], sqldb.ErrConflict) {
					t.Errorf("caller %d: %v, want a conflict", i, errsOf[i])
				}
			case 9:
				if panicked[i] != fmt.Sprintf("boom %d", i) {
					t.Errorf("caller %d: panic %v, want its own", i, panicked[i])
				}
			default:
				if errsOf[i] != nil || panicked[i] != nil {
					t.Errorf("caller %d: %v %v", i, errsOf[i], panicked[i])
				}
				want++
			}
		}
		if got := countWidgets(t, db); got != want {
			t.Fatalf("%d widgets, want %d", got, want)
		}
		var stray int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM widgets WHERE id % 10 IN (6, 8, 0)").Scan(&stray); err != nil || stray != 0 {
			t.Fatalf("widgets of failed callers: %d, %v", stray, err)
		}
	})
}

// A lone caller runs in a transaction of its own; a batch whose
// transaction fails as a whole (here a function breaks the batch's
// savepoint on its first run) is run again caller by caller, and nothing
// of the failed batch remains.
func TestGroupLoneCallerAndRetry(t *testing.T) {
	migrated(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		g := sqldb.NewGroup(db, 8, 1, &mu)
		runs := make([]int, 6)
		insert := func(i int) error {
			return g.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				runs[i]++
				if _, err := tx.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES ($1, $2)", i+1, fmt.Sprintf("w%d", i)); err != nil {
					return err
				}
				if i == 3 && runs[i] == 1 {
					_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT sqldb_group")
					return err
				}
				return nil
			})
		}
		// Caller 0 leads a batch of its own and waits for the lock; the
		// others queue meanwhile and form the next batch.
		mu.Lock()
		var wg sync.WaitGroup
		errsOf := make([]error, len(runs))
		for i := range runs {
			wg.Add(1)
			go func() { defer wg.Done(); errsOf[i] = insert(i) }()
			if i == 0 {
				time.Sleep(50 * time.Millisecond)
			}
		}
		time.Sleep(200 * time.Millisecond)
		mu.Unlock()
		wg.Wait()
		for i, err := range errsOf {
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		if runs[0] != 1 || runs[3] != 2 {
			t.Fatalf("runs = %v: want the lone caller once and the broken batch twice", runs)
		}
		if got := countWidgets(t, db); got != len(runs) {
			t.Fatalf("%d widgets, want %d", got, len(runs))
		}
	})
}
