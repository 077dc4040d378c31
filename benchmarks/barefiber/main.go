// Command barefiber is the baseline of `make bench-load`: a bare Fiber
// server that answers every POST /v1/webhooks/{source} with 202 and does
// nothing else. Corridor's rate is reported as a ratio of this one, measured
// in the same run on the same machine.
package main

import (
	"flag"
	"log"

	"github.com/gofiber/fiber/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	flag.Parse()
	app := fiber.New(fiber.Config{DisableStartupMessage: true, BodyLimit: 1 << 20})
	app.Post("/v1/webhooks/:source", func(c *fiber.Ctx) error {
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "accepted"})
	})
	app.Get("/readyz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	log.Fatal(app.Listen(*addr))
}
