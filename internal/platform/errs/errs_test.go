package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

var errOutOfStock = errs.Conflict("out_of_stock", "the item is out of stock")

func TestSentinelMatchesAfterWithWrapAndFmt(t *testing.T) {
	cause := errors.New("driver said no")
	for _, err := range []error{
		errOutOfStock,
		errOutOfStock.With("SKU K-1 has 0 left"),
		errOutOfStock.Wrap(cause),
		fmt.Errorf("reserve K-1: %w", errOutOfStock.With("none left")),
		&errs.Error{Kind: errs.KindConflict, Code: "out_of_stock"}, // as decoded from HTTP
	} {
		if !errors.Is(err, errOutOfStock) {
			t.Errorf("errors.Is(%v, out_of_stock) = false", err)
		}
		if errs.KindOf(err) != errs.KindConflict || errs.CodeOf(err) != "out_of_stock" {
			t.Errorf("%v: kind %v code %s", err, errs.KindOf(err), errs.CodeOf(err))
		}
	}
	if errors.Is(errs.Conflict("already_exists", ""), errOutOfStock) {
		t.Error("a different code matched")
	}
	if errors.Is(errs.Invalid("out_of_stock", ""), errOutOfStock) {
		t.Error("a different kind matched")
	}
	if !errors.Is(errOutOfStock.Wrap(cause), cause) {
		t.Error("the cause is not reachable through Unwrap")
	}
	if errOutOfStock.Detail != "the item is out of stock" {
		t.Error("With changed the sentinel itself")
	}
}

func TestPlainErrorsAreInternal(t *testing.T) {
	err := errors.New("boom")
	if errs.KindOf(err) != errs.KindInternal || errs.CodeOf(err) != "internal" {
		t.Fatal("a plain error must classify as internal")
	}
	if e := errs.As(err); e.Kind != errs.KindInternal || !errors.Is(e, err) {
		t.Fatalf("As: %#v", e)
	}
	if errs.As(nil) != nil {
		t.Fatal("As(nil) must be nil")
	}
}
