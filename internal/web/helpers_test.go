package web_test

import "github.com/docket/docket/internal/app"

func pageAll() app.Page { return app.Page{Limit: 200} }
