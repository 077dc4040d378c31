package appstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// maxRSSPage is the last page the feed serves per storefront.
const maxRSSPage = 10

// label is the {"label": …} wrapper of every value in the feed.
type label struct {
	Label wire.Scalar `json:"label"`
}

func (l label) String() string { return strings.TrimSpace(l.Label.Value) }

type rssEntry struct {
	ID     label `json:"id"`
	Author struct {
		URI label `json:"uri"`
	} `json:"author"`
	Version label  `json:"im:version"`
	Rating  *label `json:"im:rating"`
	Title   label  `json:"title"`
	Content label  `json:"content"`
	Updated label  `json:"updated"`
}

// rssEntries is feed.entry: an array, or a single object when the page
// holds one entry.
type rssEntries []rssEntry

func (e *rssEntries) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '{':
		var one rssEntry
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*e = rssEntries{one}
		return nil
	case bytes.Equal(b, []byte("null")):
		*e = nil
		return nil
	}
	var many []rssEntry
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*e = many
	return nil
}

type rssFeed struct {
	Feed *struct {
		Entry rssEntries `json:"entry"`
	} `json:"feed"`
}

// reviewerID is the numeric id at the end of author.uri
// (https://itunes.apple.com/us/reviews/id123456789).
var reviewerID = regexp.MustCompile(`/id([0-9]{1,20})/?$`)

// rssPageNumber parses an RSS page token: "" is page 1.
func rssPageNumber(token string) (int, error) {
	if token == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(token)
	if err != nil || n < 1 || n > maxRSSPage || strconv.Itoa(n) != token {
		return 0, connectors.Malformedf("page token %.40q is not a page number 1..%d", token, maxRSSPage)
	}
	return n, nil
}

// decodeRSS turns RSS page n into records. On error the page still carries
// the bytes and the next page number.
func (p *poller) decodeRSS(body []byte, n int) (connectors.Page, error) {
	page := connectors.Page{Raw: body}
	if n < maxRSSPage {
		page.Next = strconv.Itoa(n + 1)
	}
	recs, err := p.rssRecords(body)
	if err != nil {
		return page, fmt.Errorf("rss page %d: %w", n, err)
	}
	if len(recs) == 0 {
		page.Next = "" // past the last review
	}
	vendorapi.SortNewestFirst(recs)
	page.Records = recs
	return page, nil
}

func (p *poller) rssRecords(body []byte) ([]feedback.Record, error) {
	var f rssFeed
	if err := vendorapi.DecodePage(body, &f); err != nil {
		return nil, err
	}
	if f.Feed == nil {
		return nil, connectors.Malformedf("no feed object")
	}
	received := p.now()
	var recs []feedback.Record
	for i, e := range f.Feed.Entry {
		if e.Rating == nil {
			continue // the app itself, first in older feeds
		}
		rec, err := p.rssRecord(e, received)
		if err != nil {
			return nil, connectors.Malformedf("entry[%d]: %v", i, err)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

func (p *poller) rssRecord(e rssEntry, received time.Time) (feedback.Record, error) {
	id := e.ID.String()
	if err := vendorapi.CheckReviewID(id); err != nil {
		return feedback.Record{}, fmt.Errorf("id: %v", err)
	}
	stars, err := strconv.Atoi(e.Rating.String())
	if err != nil {
		return feedback.Record{}, fmt.Errorf("review %s: im:rating %.20q is not a number", id, e.Rating.String())
	}
	score, err := feedback.NewScore(feedback.ScoreRating, float64(stars), 1, 5)
	if err != nil {
		return feedback.Record{}, fmt.Errorf("review %s: im:rating: %v", id, err)
	}
	updated, err := instant(e.Updated.String())
	if err != nil {
		return feedback.Record{}, fmt.Errorf("review %s: updated: %v", id, err)
	}

	rec := vendorapi.NewReview(p.source, id, updated.Unix(), updated, received)
	rec.Score = score
	rec.Text = wire.JoinText(e.Title.String(), e.Content.String())
	if m := reviewerID.FindStringSubmatch(e.Author.URI.String()); m != nil {
		rec.Customer.ID = m[1]
	}
	rec.Attributes = map[string]string{
		"app_id":  p.appID,
		"country": p.country,
		"feed":    SourceRSS,
	}
	if v := e.Version.String(); v != "" {
		rec.Attributes["app_version"] = v
	}
	return rec, nil
}

// instant parses a required RFC 3339 time into UTC, after 1970.
func instant(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("missing")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%.40q is not RFC 3339", s)
	}
	u, ok, err := wire.Instant(t)
	if err != nil {
		return time.Time{}, err
	}
	if !ok || u.Unix() <= 0 {
		return time.Time{}, fmt.Errorf("%.40q is before 1970", s)
	}
	return u, nil
}
