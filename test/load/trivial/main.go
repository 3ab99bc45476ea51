// Command trivial serves one small JSON document: the yardstick the load
// scripts measure Bazaar's routes against, in the same run on the same machine.
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18090", "listen address")
	flag.Parse()
	body := []byte(`{"items":[{"id":"1","title":"Kurta","price":{"amount":129900,"currency":"INR"}}]}`)
	http.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
