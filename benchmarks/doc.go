// Package benchmarks holds Corridor's end-to-end benchmarks and load
// harnesses. Results, with the commands that produced them, are recorded in
// README.md; compare figures as ratios within one run.
package benchmarks
