// Package wordcache is a bounded, sharded string-keyed cache for values
// computed per distinct word. Each shard keeps two generations: when the
// current one fills up it becomes the old one and a new one starts, so the
// cache holds at most twice its capacity and words still in use survive
// (a hit in the old generation is copied forward).
package wordcache
