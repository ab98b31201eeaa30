package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

func (s *Evidence) GetBenchmarks(c echo.Context) error {
	list, err := s.evidence.ListBenchmarks(httpx.MustActor(c))
	if err != nil {
		return err
	}
	items := make([]benchmarkJSON, len(list))
	for i, b := range list {
		items[i] = presentBenchmark(b)
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}

func (s *Evidence) PostBenchmarkResult(c echo.Context) error {
	var in docket.BenchmarkResultInput
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.evidence.RecordBenchmarkResult(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentBenchmarkResult(r))
}

func (s *Evidence) GetBenchmarkResults(c echo.Context) error {
	list, err := s.evidence.ListBenchmarkResults(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	items := make([]benchmarkResultJSON, len(list))
	for i := range list {
		items[i] = presentBenchmarkResult(&list[i])
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}
