package web

import (
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// schemaName names a Go type in the OpenAPI document. huma's default uses
// the bare type name, so cart.Line and inventory.Line would collide once
// several services share one document; a service's types are prefixed with
// their package ("CartLine", "InventoryLine"). Platform types (Money,
// FieldError) keep their plain names.
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	path := t.PkgPath()
	if t.Name() == "" || !strings.Contains(path, "/internal/") || strings.Contains(path, "/internal/platform/") {
		return name
	}
	pkg := path[strings.LastIndex(path, "/")+1:]
	for _, suffix := range []string{"http", "db"} { // cataloghttp.X → Catalog
		pkg = strings.TrimSuffix(pkg, suffix)
	}
	prefix := strings.ToUpper(pkg[:1]) + pkg[1:]
	if strings.HasPrefix(name, prefix) {
		return name
	}
	return prefix + name
}
