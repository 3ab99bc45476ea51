package sqldb

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// Migrations is one owner's schema history: a directory per dialect
// ("sqlite/", "postgres/") of goose SQL files, usually an embed.FS.
type Migrations struct {
	Owner string // names the version table: goose_<owner>
	FS    fs.FS  // holds sqlite/ and postgres/ directories
}

// Migrate applies every pending migration of m for db's dialect. Each owner
// keeps its own version table, so a service and the platform parts it uses
// (the outbox, idempotency records) migrate independently in one store.
func (db *DB) Migrate(ctx context.Context, m Migrations) ([]*goose.MigrationResult, error) {
	p, err := db.migrator(m)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return res, fmt.Errorf("migrate %s/%s: %w", db.schema, m.Owner, err)
	}
	return res, nil
}

// MigrateDown rolls back the most recent migration of m (for tests and for
// operators undoing a release).
func (db *DB) MigrateDown(ctx context.Context, m Migrations) error {
	p, err := db.migrator(m)
	if err != nil {
		return err
	}
	if _, err := p.Down(ctx); err != nil {
		return fmt.Errorf("migrate down %s/%s: %w", db.schema, m.Owner, err)
	}
	return nil
}

// MigrationVersion reports the newest applied version of m.
func (db *DB) MigrationVersion(ctx context.Context, m Migrations) (int64, error) {
	p, err := db.migrator(m)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
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
