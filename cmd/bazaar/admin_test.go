package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The first admin is made from the command line and can then sign in to
// the running shop and see its role.
func TestAdminCreateThenSignIn(t *testing.T) {
	dataDir := t.TempDir()
	var out, errOut bytes.Buffer
	err := adminCommand([]string{"create", "--email", "Owner@Example.com", "--data-dir", dataDir}, nil,
		strings.NewReader("correct-horse-battery-staple\n"), &out, &errOut)
	if err != nil {
		t.Fatalf("admin create: %v\n%s", err, errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), "correct-horse") {
		t.Fatal("the password was echoed")
	}
	if err := adminCommand([]string{"create", "--email", "x@example.com", "--data-dir", dataDir}, nil,
		strings.NewReader("password\n"), &out, &errOut); err == nil {
		t.Fatal("a common password was accepted for an admin")
	}

	p := startBinary(t, dataDir, nil)
	p.waitReady(t)
	defer p.stop(t)
	body := `{"email":"owner@example.com","password":"correct-horse-battery-staple","session":"bearer"}`
	resp, err := http.Post(p.url+"/api/v1/auth/signin", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var signin struct {
		Token string `json:"token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&signin)
	resp.Body.Close()
	if resp.StatusCode != 200 || signin.Token == "" {
		t.Fatalf("sign-in: %d token %q", resp.StatusCode, signin.Token)
	}
	req, _ := http.NewRequest("GET", p.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+signin.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if resp.StatusCode != 200 || me.Role != "admin" || me.Email != "owner@example.com" {
		t.Fatalf("/me: %d %+v", resp.StatusCode, me)
	}
}
