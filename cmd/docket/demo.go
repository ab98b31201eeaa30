package main

import (
	"context"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/store"
)

func seedDemo(ctx context.Context, svc *app.Service, st *store.Store, cfg config.Config, e env, base string) error {
	return nil
}
