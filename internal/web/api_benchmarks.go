package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
)

func (s *Server) getBenchmarks(c echo.Context) error {
	list, err := s.svc.Evidence.ListBenchmarks(mustActor(c))
	if err != nil {
		return err
	}
	items := make([]benchmarkJSON, len(list))
	for i, b := range list {
		items[i] = presentBenchmark(b)
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}

func (s *Server) postBenchmarkResult(c echo.Context) error {
	var in docket.BenchmarkResultInput
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.Evidence.RecordBenchmarkResult(c.Request().Context(), mustActor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentBenchmarkResult(r))
}

func (s *Server) getBenchmarkResults(c echo.Context) error {
	list, err := s.svc.Evidence.ListBenchmarkResults(c.Request().Context(), mustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	items := make([]benchmarkResultJSON, len(list))
	for i := range list {
		items[i] = presentBenchmarkResult(&list[i])
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}
