package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultsMakeAnEmbeddedShop(t *testing.T) {
	c, err := Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || !c.Embedded() || !slices.Equal(c.Services, Services) {
		t.Fatalf("defaults: %+v", c)
	}
	if c.PublicURL != "http://127.0.0.1:8080" || c.ShutdownTimeout != 25*time.Second || !c.Seed {
		t.Fatalf("derived defaults: %+v", c)
	}
}

func TestEnvThenFlags(t *testing.T) {
	c, err := Load(
		[]string{"--addr", "127.0.0.1:9999", "--services=cart,catalog"},
		[]string{"BAZAAR_ADDR=127.0.0.1:7000", "BAZAAR_DATA_DIR=/tmp/x", "BAZAAR_INVENTORY_URL=http://inv:8080/", "PATH=/bin", "BAZAAR_TEST_POSTGRES_URL=whatever"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" {
		t.Errorf("flag did not override env: %s", c.Addr)
	}
	if c.DataDir != "/tmp/x" {
		t.Errorf("env not read: %s", c.DataDir)
	}
	if !slices.Equal(c.Services, []string{"catalog", "cart"}) {
		t.Errorf("services %v, want canonical order", c.Services)
	}
	if c.ServiceURLs["inventory"] != "http://inv:8080" {
		t.Errorf("service url %v", c.ServiceURLs)
	}
}

func TestProblemsNameTheVariable(t *testing.T) {
	cases := []struct {
		env, args []string
		want      []string
	}{
		{env: []string{"BAZAAR_ADR=127.0.0.1:1"}, want: []string{"unknown variable BAZAAR_ADR", "did you mean BAZAAR_ADDR?"}},
		{env: []string{"BAZAAR_FROBNICATE=1"}, want: []string{"unknown variable BAZAAR_FROBNICATE"}},
		{env: []string{"BAZAAR_SHUTDOWN_TIMEOUT=soon"}, want: []string{"BAZAAR_SHUTDOWN_TIMEOUT", "positive duration"}},
		{env: []string{"BAZAAR_ADDR=8080"}, want: []string{"BAZAAR_ADDR", "HOST:PORT"}},
		{env: []string{"BAZAAR_DATABASE_URL=mysql://u:hunter2@h/db"}, want: []string{"BAZAAR_DATABASE_URL", "postgres://"}},
		{env: []string{"BAZAAR_SERVICES=catalog,shipping"}, want: []string{"BAZAAR_SERVICES", `unknown service "shipping"`}},
		{env: []string{"BAZAAR_CART_URL=cart:8080"}, want: []string{"BAZAAR_CART_URL", "http://"}},
		{env: []string{"BAZAAR_TLS_CERT_FILE=/c.pem"}, want: []string{"BAZAAR_TLS_KEY_FILE"}},
		{args: []string{"--log-level", "loud"}, want: []string{"log-level", "unknown log level"}},
		{args: []string{"--nope"}, want: []string{"nope"}},
		{env: []string{"BAZAAR_SEED=maybe", "BAZAAR_MAX_BODY_BYTES=1"}, want: []string{"BAZAAR_SEED", "BAZAAR_MAX_BODY_BYTES"}},
	}
	for _, c := range cases {
		_, err := Load(c.args, c.env)
		if err == nil {
			t.Errorf("%v %v: no error", c.env, c.args)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v %v: error %q lacks %q", c.env, c.args, err, w)
			}
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("secret leaked in %q", err)
		}
	}
}

func TestSettingsMaskSecrets(t *testing.T) {
	c, err := Load(nil, []string{
		"BAZAAR_DATABASE_URL=postgres://shop:s3cret@db:5432/shop",
		"BAZAAR_REDIS_URL=redis://:r3dis@cache:6379/0",
		"BAZAAR_TLS_CERT_FILE=/c.pem", "BAZAAR_TLS_KEY_FILE=/k.pem",
	})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, s := range c.Settings() {
		all.WriteString(s.Env + "=" + s.Value + "\n")
	}
	out := all.String()
	for _, secret := range []string{"s3cret", "r3dis", "/k.pem"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q shown:\n%s", secret, out)
		}
	}
	for _, want := range []string{"postgres://shop:xxxxx@db:5432/shop", "BAZAAR_TLS_KEY_FILE=(set, hidden)", "BAZAAR_PUBLIC_URL=https://127.0.0.1:8080"} {
		if !strings.Contains(out, want) {
			t.Errorf("settings lack %q:\n%s", want, out)
		}
	}
	if c.Embedded() {
		t.Error("a database URL must mean production mode")
	}
}
