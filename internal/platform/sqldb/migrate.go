package sqldb

import (
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"sync"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// Migrations is one owner's schema history: a directory per dialect
// ("sqlite/", "postgres/") of goose SQL files, usually an embed.FS.
type Migrations struct {
	Owner string // names the version table: goose_<owner>
	FS    fs.FS  // holds sqlite/ and postgres/ directories
}

// EmbeddedMigrations makes an owner's Migrations from the directory dir of
// fsys (usually an embed.FS), which holds sqlite/ and postgres/. A bad dir is
// a programming error, caught at start-up: it panics.
func EmbeddedMigrations(owner string, fsys fs.FS, dir string) Migrations {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("sqldb: migrations of %s: %v", owner, err))
	}
	return Migrations{Owner: owner, FS: sub}
}

// MigrateAll applies each set of migrations in order: a service's own and
// those of the platform parts it keeps in its store (the outbox).
func (db *DB) MigrateAll(ctx context.Context, sets ...Migrations) error {
	for _, m := range sets {
		if _, err := db.Migrate(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// Migrate applies every pending migration of m for db's dialect. Each owner
// keeps its own version table, so a service and the platform parts it uses
// (the outbox, idempotency records) migrate independently in one store.
//
// Replicas that start together may all call Migrate: the first applies the
// pending migrations and the others wait for it, then find nothing to do.
func (db *DB) Migrate(ctx context.Context, m Migrations) (res []*goose.MigrationResult, err error) {
	err = db.withMigrator(ctx, m, func(p *goose.Provider) error {
		res, err = p.Up(ctx)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("migrate %s/%s: %w", db.schema, m.Owner, err)
	}
	return res, nil
}

// MigrateDown rolls back the most recent migration of m (for tests and for
// operators undoing a release).
func (db *DB) MigrateDown(ctx context.Context, m Migrations) error {
	err := db.withMigrator(ctx, m, func(p *goose.Provider) error {
		_, err := p.Down(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate down %s/%s: %w", db.schema, m.Owner, err)
	}
	return nil
}

// MigrationVersion reports the newest applied version of m.
// The first call creates the owner's version table.
func (db *DB) MigrationVersion(ctx context.Context, m Migrations) (v int64, err error) {
	err = db.withMigrator(ctx, m, func(p *goose.Provider) error {
		v, err = p.GetDBVersion(ctx)
		return err
	})
	return v, err
}

// withMigrator runs fn holding a lock per store and owner. goose's own checks
// (does the version table exist, which versions are applied) run before its
// optional lock, so concurrent migrators would both create the same tables.
func (db *DB) withMigrator(ctx context.Context, m Migrations, fn func(*goose.Provider) error) error {
	p, err := db.migrator(m)
	if err != nil {
		return err
	}
	if db.dialect != Postgres {
		// One process owns an SQLite file; a mutex per file and owner is enough.
		mu, _ := sqliteMigrationLocks.LoadOrStore(db.path+"\x00"+m.Owner, new(sync.Mutex))
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
		return fn(p)
	}
	// A session advisory lock held on a connection of its own; the migrations
	// run on other pooled connections. pgx cancels the wait when ctx ends.
	conn, err := db.Conn(ctx)
	if err != nil {
		return MapError(err)
	}
	defer conn.Close()
	key := migrationLockKey(db.schema, m.Owner)
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("lock migrations: %w", MapError(err))
	}
	defer func() {
		// If the unlock fails the session is broken, and its end frees the lock.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	}()
	return fn(p)
}

var sqliteMigrationLocks sync.Map // file path + owner -> *sync.Mutex

func migrationLockKey(schema, owner string) int64 {
	h := fnv.New64a()
	h.Write([]byte("bazaar-migrate\x00" + schema + "\x00" + owner))
	return int64(h.Sum64())
}

func (db *DB) migrator(m Migrations) (*goose.Provider, error) {
	if !schemaName.MatchString(m.Owner) {
		return nil, fmt.Errorf("sqldb: bad migrations owner %q", m.Owner)
	}
	sub, err := fs.Sub(m.FS, string(db.dialect))
	if err != nil {
		return nil, fmt.Errorf("sqldb: migrations for %s: %w", db.dialect, err)
	}
	dialect := database.DialectSQLite3
	if db.dialect == Postgres {
		dialect = database.DialectPostgres
	}
	store, err := database.NewStore(dialect, "goose_"+m.Owner)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider("", db.DB, sub, goose.WithStore(store))
}
