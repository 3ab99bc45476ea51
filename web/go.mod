module github.com/bazaarshop/bazaar/web

go 1.26
