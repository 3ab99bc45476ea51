package card

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func TestLuhn(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"4242424242424242", true},
		{"4242424242424241", false},
		{"378282246310005", true},
		{"6521500000000006", true},
		{"0", true},
		{"", false},
		{"42424242424242a2", false},
	} {
		if got := Luhn(tc.in); got != tc.want {
			t.Errorf("Luhn(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Brand
	}{
		{"4242424242424242", Visa},
		{"5555555555554444", Mastercard},
		{"2223003122003222", Mastercard},
		{"2720990000000007", Mastercard},
		{"2721000000000000", Unknown},
		{"378282246310005", Amex},
		{"341111111111111", Amex},
		{"6521500000000006", RuPay},
		{"6080010000000009", RuPay},
		{"5085000000000007", RuPay},
		{"8171000000000000", RuPay},
		{"6011111111111117", Discover},
		{"6500000000000002", Discover},
		{"30569309025904", Diners},
		{"3566002020360505", JCB},
		{"6200000000000005", UnionPay},
		{"6759649826438453", Maestro},
		{"9999999999999995", Unknown},
	} {
		if got := Detect(tc.in); got != tc.want {
			t.Errorf("Detect(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		number   PAN
		mm, yy   int
		cvc      CVC
		accepted []Brand
		want     error
		brand    Brand
	}{
		{"visa", "4242 4242 4242 4242", 12, 2030, "123", nil, nil, Visa},
		{"dashes", "4242-4242-4242-4242", 12, 30, "", nil, nil, Visa},
		{"amex 4-digit cvc", "378282246310005", 1, 2031, "1234", nil, nil, Amex},
		{"amex 3-digit cvc", "378282246310005", 1, 2031, "123", nil, ErrInvalidCVC, ""},
		{"visa 4-digit cvc", "4242424242424242", 1, 2031, "1234", nil, ErrInvalidCVC, ""},
		{"cvc letters", "4242424242424242", 1, 2031, "12a", nil, ErrInvalidCVC, ""},
		{"luhn", "4242424242424241", 12, 2030, "123", nil, ErrInvalidNumber, ""},
		{"letters", "4242x24242424242", 12, 2030, "123", nil, ErrInvalidNumber, ""},
		{"too short", "42424", 12, 2030, "", nil, ErrInvalidNumber, ""},
		{"unknown brand", "9999999999999995", 12, 2030, "", nil, ErrUnsupportedBrand, ""},
		{"brand not accepted", "378282246310005", 12, 2030, "", []Brand{Visa, RuPay}, ErrUnsupportedBrand, ""},
		{"rupay accepted", "6521500000000006", 12, 2030, "", []Brand{Visa, RuPay}, nil, RuPay},
		{"mastercard wrong length", "55555555555544445", 12, 2030, "", nil, ErrInvalidNumber, ""},
		{"this month", "4242424242424242", 3, 2026, "", nil, nil, Visa},
		{"last month", "4242424242424242", 2, 2026, "", nil, ErrExpired, ""},
		{"month 13", "4242424242424242", 13, 2030, "", nil, ErrInvalidExpiry, ""},
		{"far future", "4242424242424242", 1, 2090, "", nil, ErrInvalidExpiry, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Validate(tc.number, tc.mm, tc.yy, tc.cvc, now, tc.accepted...)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if strings.Contains(err.Error(), string(tc.number)) {
					t.Fatalf("error %q repeats the number", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Brand != tc.brand || c.Last4 != digitsOnly(string(tc.number))[len(digitsOnly(string(tc.number)))-4:] {
				t.Fatalf("checked = %+v", c)
			}
			if strings.ContainsAny(string(c.Number), " -") {
				t.Fatalf("number not normalised")
			}
		})
	}
}

// Nothing that prints a PAN or a CVC shows the secret.
func TestSecretsDoNotPrint(t *testing.T) {
	const pan, cvc = "4242424242424242", "987"
	p, c := PAN(pan), CVC(cvc)
	type input struct {
		Number PAN
		CVC    CVC
	}
	in := input{p, c}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("card", "pan", p, "cvc", c, "struct", in)
	log = slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("card", "pan", p, "cvc", c)
	outs := []string{
		fmt.Sprint(p, c), fmt.Sprintf("%v %s %q %d %x %#v %+v", p, p, p, p, p, p, in), fmt.Sprintf("%v %#v %q", c, c, c),
		fmt.Sprintf("%v %+v %#v", in, in, &in), buf.String(),
	}
	for _, o := range outs {
		if strings.Contains(o, pan) || strings.Contains(o, cvc) {
			t.Errorf("leaked: %s", o)
		}
	}
	if !strings.Contains(fmt.Sprint(p), "4242") {
		t.Errorf("mask lost the last four: %s", p)
	}
	b, _ := json.Marshal(in)
	if strings.Contains(string(b), pan) || strings.Contains(string(b), cvc) {
		t.Errorf("json = %s", b)
	}
	// Decoding takes the plain value, as the service receives it.
	var back input
	if err := json.Unmarshal([]byte(`{"Number":"`+pan+`","CVC":"`+cvc+`"}`), &back); err != nil || back.Number.Reveal() != pan || back.CVC.Reveal() != cvc {
		t.Errorf("decode = %v", err)
	}
}

func TestSeal(t *testing.T) {
	key, old := randKey(t), randKey(t)
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal("4242424242424242", "tok_1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("4242424242424242")) {
		t.Fatal("sealed number holds the plaintext")
	}
	got, err := s.Open(sealed, "tok_1")
	if err != nil || got != "4242424242424242" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := s.Open(sealed, "tok_2"); !errors.Is(err, ErrUnsealable) {
		t.Fatalf("open with another record's aad = %v", err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := s.Open(tampered, "tok_1"); !errors.Is(err, ErrUnsealable) {
		t.Fatalf("open tampered = %v", err)
	}
	again, _ := s.Seal("4242424242424242", "tok_1")
	if bytes.Equal(again, sealed) {
		t.Fatal("two seals of one number are equal: nonce reused")
	}

	// Rotation: a sealer with a new key opens numbers sealed under the old one.
	oldSealer, _ := NewSealer(old)
	byOld, _ := oldSealer.Seal("5555555555554444", "tok_3")
	rotated, err := NewSealer(key, old)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(byOld, "tok_3"); err != nil || got != "5555555555554444" {
		t.Fatalf("open after rotation = %q, %v", got, err)
	}
	if _, err := s.Open(byOld, "tok_3"); !errors.Is(err, ErrUnsealable) {
		t.Fatalf("open without the old key = %v", err)
	}
	if _, err := NewSealer(key[:16]); err == nil {
		t.Fatal("a 16-byte key was accepted")
	}
	if s.Fingerprint("4242 4242 4242 4242") != s.Fingerprint("4242424242424242") || s.Fingerprint("4242424242424242") == s.Fingerprint("5555555555554444") {
		t.Fatal("fingerprints do not identify cards")
	}
}

func randKey(t *testing.T) []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}
