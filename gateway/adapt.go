package gateway

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// adaptHTTP serves a net/http handler (the Prometheus exposition) from Fiber.
func adaptHTTP(h http.Handler) fiber.Handler {
	return adaptor.HTTPHandler(h)
}
