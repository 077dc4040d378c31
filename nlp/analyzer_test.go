package nlp

import (
	"math"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
)

func themeByID(an feedback.Analysis, id string) *feedback.Theme {
	for i := range an.Themes {
		if an.Themes[i].ID == id {
			return &an.Themes[i]
		}
	}
	return nil
}

func themeIDs(an feedback.Analysis) []string {
	ids := make([]string, len(an.Themes))
	for i, t := range an.Themes {
		ids[i] = t.ID
	}
	return ids
}

// checkInvariants asserts what every analysis must satisfy.
func checkInvariants(t *testing.T, an feedback.Analysis) {
	t.Helper()
	require.NotNil(t, an.Themes)
	require.NotNil(t, an.PII)
	assert.True(t, utf8.ValidString(an.Text))
	last := -1
	seen := map[string]bool{}
	for _, th := range an.Themes {
		assert.False(t, seen[th.ID], "theme %s twice", th.ID)
		seen[th.ID] = true
		assert.NotEmpty(t, th.Label)
		assert.Greater(t, th.Confidence, 0.0)
		assert.LessOrEqual(t, th.Confidence, 1.0)
		require.NotNil(t, th.Matches, th.ID)
		if len(th.Matches) == 0 {
			// Only a model theme may have no match; it comes after the
			// themes with matches.
			require.Equal(t, "model", th.Group, th.ID)
			last = len(an.Text) + 1
		} else {
			assert.GreaterOrEqual(t, th.Matches[0].Start, last, "themes sorted by first match")
			last = th.Matches[0].Start
		}
		for _, m := range th.Matches {
			require.True(t, m.Start >= 0 && m.Start < m.End && m.End <= len(an.Text), "%+v", m)
			assert.Equal(t, an.Text[m.Start:m.End], m.Text)
		}
		if th.Sentiment != nil {
			assert.NoError(t, th.Sentiment.Validate())
		}
	}
	if an.Sentiment != nil {
		assert.NoError(t, an.Sentiment.Validate())
		switch an.Sentiment.Label {
		case "positive":
			assert.GreaterOrEqual(t, an.Sentiment.Score, 0.05)
		case "negative":
			assert.LessOrEqual(t, an.Sentiment.Score, -0.05)
		default:
			assert.Less(t, math.Abs(an.Sentiment.Score), 0.05)
		}
	}
	for k, n := range an.PII {
		assert.Contains(t, []string{"email", "phone", "card", "iban", "ip"}, k)
		assert.Positive(t, n)
	}
}

func TestAnalyzeThemes(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		name string
		text string
		want map[string]string // theme id -> sentiment label ("" = any, "!label" = anything but label)
		not  []string          // themes that must not be found
	}{
		{
			name: "checkout timing out",
			text: "The checkout page kept timing out on my phone, so I gave up and bought it in store.",
			want: map[string]string{"checkout": "negative", "web_performance": "negative"},
		},
		{
			name: "nobody told us",
			text: "They doubled the monthly fee and nobody told us.",
			want: map[string]string{"communication": "negative"},
		},
		{
			name: "knows their stuff",
			text: "The mechanic really knows his stuff and gave us honest advice.",
			want: map[string]string{"staff_knowledge": "positive"},
		},
		{
			name: "will order again",
			text: "Arrived hot and fresh, will definitely order again.",
			want: map[string]string{"loyalty": "positive"},
		},
		{
			name: "lift out of order",
			text: "The lift at the station is out of order again.",
			want: map[string]string{"reliability": "negative"},
		},
		{
			name: "train on time",
			text: "The train was on time every day this week.",
			want: map[string]string{"wait_time": ""},
		},
		{
			name: "a duration in digits",
			text: "The refund took 6 weeks and I had to chase them twice.",
			want: map[string]string{"wait_time": "", "returns_refunds": ""},
		},
		{
			name: "worth every penny",
			text: "Pricey, but worth every penny.",
			want: map[string]string{"price_value": "positive"},
		},
		{
			name: "no complaints is no support ticket",
			text: "Transfers are instant, the UI is clean, no complaints.",
			not:  []string{"customer_support"},
		},
		{
			name: "a feature request",
			text: "Please add an option to export to PDF.",
			want: map[string]string{"features": ""},
		},
		{
			name: "no refunds policy",
			text: "Paid for the annual plan, wanted to cancel after 2 days, they said no refunds.",
			want: map[string]string{"policies": ""},
		},
		{
			name: "parcel on time is delivery",
			text: "The parcel arrived on time.",
			want: map[string]string{"delivery": ""},
			not:  []string{"wait_time"},
		},
		{
			name: "charged twice",
			text: "I was charged twice for the same order and nobody has fixed it yet.",
			want: map[string]string{"billing": "negative"},
		},
		{
			name: "courier never arrived",
			text: "The courier never arrived and I stayed home all day.",
			want: map[string]string{"delivery": "negative"},
		},
		{
			name: "rude staff, great food",
			text: "The staff were rude but the food was great.",
			want: map[string]string{"staff_attitude": "negative", "food_quality": "positive"},
		},
		{
			name: "great food and rude staff",
			text: "Great food and the staff were really rude.",
			want: map[string]string{"staff_attitude": "negative", "food_quality": "positive"},
		},
		{
			name: "agent not helpful",
			text: "The agent on the phone was not helpful at all.",
			want: map[string]string{"customer_support": "negative"},
		},
		{
			name: "refund slow",
			text: "Returned the jacket a month ago and I am still waiting for my refund.",
			want: map[string]string{"returns_refunds": "negative", "wait_time": "negative"},
		},
		{
			name: "login problems",
			text: "Could not log in for two days because the password reset email never came.",
			want: map[string]string{"account_access": "", "communication": "negative"},
		},
		{
			name: "dirty rooms, good location",
			text: "The rooms were dirty and the bathroom smelled awful. Great location though, right by the station.",
			want: map[string]string{"cleanliness": "negative", "location_access": "positive"},
		},
		{
			name: "on hold",
			text: "Waited 45 minutes on hold before someone picked up.",
			want: map[string]string{"wait_time": "negative"},
			not:  []string{"delivery"},
		},
		{
			name: "damaged and missing items",
			text: "Package arrived damaged and two items were missing from the box.",
			want: map[string]string{"packaging": "negative", "order_accuracy": "negative"},
		},
		{
			name: "price not worth it",
			text: "Prices keep going up and honestly it is not worth the money anymore.",
			want: map[string]string{"price_value": "negative"},
		},
		{
			name: "knowledgeable polite technician",
			text: "The technician was knowledgeable and polite and fixed the boiler in under an hour. Would recommend.",
			want: map[string]string{"staff_knowledge": "positive", "staff_attitude": "positive", "loyalty": "positive"},
		},
		{
			name: "pushy sales",
			text: "The sales rep was pushy and kept trying to upsell us a premium plan.",
			want: map[string]string{"sales": "negative"},
			not:  []string{"customer_support"},
		},
		{
			name: "out of stock",
			text: "Your website said it was in stock but the shop had none left.",
			want: map[string]string{"availability": ""},
		},
		{
			name: "locked out of the account, not a location",
			text: "I couldn't access my account for two days and lost access to my saved cards.",
			want: map[string]string{"account_access": "negative"},
			not:  []string{"location_access"},
		},
		{
			name: "could not log in",
			text: "I couldn't log in after the update.",
			want: map[string]string{"account_access": "negative"},
		},
		{
			name: "no sign of the parcel",
			text: "Two weeks later and still no sign of my parcel.",
			want: map[string]string{"delivery": "negative"},
		},
		{
			name: "clearly intensifies, it is not praise",
			text: "The agent clearly didn't know the product.",
			want: map[string]string{"customer_support": "!positive"},
		},
		{
			name: "an API returning errors is not a return",
			text: "Your API keeps returning 429 errors.",
			want: map[string]string{"reliability": "negative"},
			not:  []string{"returns_refunds"},
		},
		{
			name: "a promise not kept",
			text: "I was promised a callback that never happened.",
			want: map[string]string{"communication": "negative"},
		},
		{
			name: "never responds",
			text: "Our account manager never responds to emails.",
			want: map[string]string{"communication": "negative"},
		},
		{
			name: "charged after cancelling",
			text: "Cancelled my order but still got charged.",
			want: map[string]string{"billing": "negative"},
		},
		{
			name: "redesign",
			text: "Please bring back the old design, the new one is awful.",
			want: map[string]string{"usability": "negative"},
		},
		{
			name: "a joke",
			text: "customer support is a joke",
			want: map[string]string{"customer_support": "negative"},
		},
		{
			name: "without warning",
			text: "The subscription auto renewed without warning",
			want: map[string]string{"subscription": "negative"},
		},
		{
			name: "trash",
			text: "app is so slow, total trash",
			want: map[string]string{"web_performance": "negative"},
		},
		{
			name: "a channel named is no performance theme",
			text: "Love the app, the website is nice too.",
			not:  []string{"web_performance"},
		},
		{
			name: "a page that will not load",
			text: "The website won't load and the app takes forever to load.",
			want: map[string]string{"web_performance": "negative"},
		},
		{
			name: "fees are price, paying twice is billing",
			text: "Hidden fees everywhere, and I paid twice for one order.",
			want: map[string]string{"price_value": "negative", "billing": "negative"},
		},
		{
			name: "paying names no billing theme",
			text: "I pay a lot for this phone and the camera is great.",
			not:  []string{"billing"},
		},
		{
			name: "tenure and rivals",
			text: "Been with you 10 years and now I'm moving to a rival.",
			want: map[string]string{"loyalty": ""},
		},
		{
			name: "working days and no warning",
			text: "Transfers take 3 working days and the fee went up without warning.",
			want: map[string]string{"wait_time": "", "communication": "", "price_value": ""},
		},
		{
			name: "connection drops",
			text: "My internet keeps dropping every evening.",
			want: map[string]string{"reliability": "negative"},
		},
		{
			name: "a doctor who did not listen",
			text: "The doctor was rushed and didn't listen.",
			want: map[string]string{"staff_attitude": "negative"},
		},
		{
			name: "calls never returned",
			text: "The adjuster never returned my calls.",
			want: map[string]string{"communication": "negative"},
			not:  []string{"returns_refunds"},
		},
		{
			name: "a huge queue is no praise",
			text: "Queue at the tills was huge.",
			want: map[string]string{"wait_time": "!positive"},
		},
		{
			name: "early delivery",
			text: "Arrived a day early, brilliant!",
			want: map[string]string{"delivery": "positive"},
		},
		{
			name: "not as pictured",
			text: "Colour looks nothing like the photos.",
			want: map[string]string{"product_quality": "negative"},
		},
		{
			name: "could not be happier",
			text: "Couldn't be happier with the customer service.",
			want: map[string]string{"customer_support": "positive"},
		},
		{
			name: "transferred around",
			text: "Transferred four times and still no answer.",
			want: map[string]string{"customer_support": "negative"},
		},
		{
			name: "a phone menu is no food",
			text: "The IVR menu is a maze.",
			want: map[string]string{"customer_support": "negative"},
			not:  []string{"food_quality"},
		},
		{
			name: "could not reach a human",
			text: "The bot kept looping and I couldn't reach a human.",
			want: map[string]string{"customer_support": "negative"},
		},
		{
			name: "exclusion: a salutation to support, a tax return",
			text: "Dear support team, I cannot log in to download the statements for my tax return.",
			want: map[string]string{"account_access": "negative"},
			not:  []string{"customer_support", "returns_refunds"},
		},
		{
			name: "a train is no training, a parcel no packaging",
			text: "The train was late and my package got soaked.",
			want: map[string]string{"wait_time": "negative", "delivery": "negative"},
			not:  []string{"onboarding", "packaging"},
		},
		{
			name: "word forms: managed, personally, setting, from scratch, al dente",
			text: "I managed to book it myself; personally I loved the setting, the pasta made from scratch was al dente.",
			not:  []string{"staff_attitude", "features", "packaging", "appointments"},
		},
		{
			name: "word forms: experiencing, competing, reported, added, responsible",
			text: "We are experiencing delays, competing shops added fees, and the person responsible said I reported it wrong.",
			want: map[string]string{"wait_time": "negative"},
			not:  []string{"staff_knowledge", "marketing", "features", "staff_attitude"},
		},
		{
			name: "a money transfer is no call transfer",
			text: "My transfer to the savings account has been pending for five days.",
			want: map[string]string{"wait_time": "negative"},
			not:  []string{"customer_support"},
		},
		{
			name: "declined card, overdraft fee",
			text: "My card was declined and then the bank charged me an overdraft fee.",
			want: map[string]string{"billing": "negative"},
		},
		{
			name: "cancelled and overbooked flights",
			text: "They overbooked the flight, bumped me without compensation, then my flight got cancelled.",
			want: map[string]string{"appointments": "negative"},
		},
		{
			name: "a hotel room",
			text: "The room smelled of smoke and the sheets were stained.",
			want: map[string]string{"cleanliness": "negative"},
		},
		{
			name: "utilities and broadband",
			text: "Internet speed is nowhere near what I pay for.",
			want: map[string]string{"reliability": "negative"},
		},
		{
			name: "teachers and pharmacists",
			text: "The professor never answered questions and the pharmacy got my prescription wrong.",
			want: map[string]string{"staff_attitude": "negative", "order_accuracy": "negative"},
		},
		{
			name: "price went up",
			text: "The price went up again and the interest rate too.",
			want: map[string]string{"price_value": "negative"},
		},
		{
			name: "each noun its own adjective",
			text: "Great product, terrible customer service",
			want: map[string]string{"product_quality": "positive", "customer_support": "negative"},
		},
		{
			name: "the clause after but weighs more",
			text: "The doctor was great but the receptionist was rude.",
			want: map[string]string{"staff_attitude": "negative"},
		},
		{
			name: "broke after an update is a regression",
			text: "SSO broke after your update.",
			want: map[string]string{"reliability": "negative", "account_access": ""},
			not:  []string{"product_quality"},
		},
		{
			name: "a clean UI is no cleanliness",
			text: "The new UI is clean but the search is worse than before.",
			want: map[string]string{"usability": "positive", "features": "negative"},
			not:  []string{"cleanliness"},
		},
		{
			name: "activation, great service, half an order",
			text: "SIM card not activated after 3 days. Great service otherwise! They forgot half my order though.",
			want: map[string]string{"onboarding": "negative", "customer_support": "positive", "order_accuracy": "negative"},
		},
		{
			name: "where is my order",
			text: "Why is my order still not here? It's been 10 days.",
			want: map[string]string{"delivery": "negative"},
		},
		{
			name: "resolution, call backs, a billing error is no bug",
			text: "Still waiting for someone to call me back about a billing error.",
			want: map[string]string{"communication": "negative", "billing": "negative"},
			not:  []string{"reliability"},
		},
		{
			name: "fixed my issue",
			text: "They fixed my issue quickly, no complaints.",
			want: map[string]string{"customer_support": "positive"},
		},
		{
			name: "parking nightmare",
			text: "Parking is a nightmare.",
			want: map[string]string{"location_access": "negative"},
		},
		{
			name: "a hotel's reception and late check-out",
			text: "Staff at reception were lovely and sorted out our late checkout.",
			want: map[string]string{"staff_attitude": "positive"},
			not:  []string{"reliability", "checkout"},
		},
		{
			name: "prices keep going up",
			text: "Your prices keep going up while the quality keeps going down.",
			want: map[string]string{"price_value": "negative", "product_quality": "negative"},
		},
		{
			name: "app reviews: broken widget, lost notes, battery, uninstalled",
			text: "The widget is broken and it drains my battery. Lost all my notes after updating, uninstalled.",
			want: map[string]string{"reliability": "negative", "web_performance": "negative", "loyalty": "negative"},
		},
		{
			name: "SaaS reviews: a feature a product supports, a knowledge base, available reps",
			text: "Data export is clunky and only supports CSV; the knowledge base is outdated but our rep is always available.",
			want: map[string]string{"features": "negative", "onboarding": "negative", "customer_support": ""},
			not:  []string{"staff_knowledge", "availability"},
		},
		{
			name: "great value",
			text: "Great value compared to the competition.",
			want: map[string]string{"price_value": "positive"},
		},
		{
			name: "streaming, gaming and telecom: buffering, game servers, a doubled bill",
			text: "The stream keeps buffering, the game servers lag and my phone bill doubled.",
			want: map[string]string{"web_performance": "negative", "billing": "negative"},
			not:  []string{"staff_attitude"},
		},
		{
			name: "kept me updated",
			text: "The service advisor kept me updated every day.",
			want: map[string]string{"communication": "positive"},
		},
		{
			name: "exclusion: free of charge",
			text: "They replaced the screen free of charge, brilliant service.",
			not:  []string{"billing"},
		},
		{
			name: "exclusion: kind of",
			text: "The app is kind of slow to load.",
			want: map[string]string{"web_performance": "negative"},
			not:  []string{"staff_attitude"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			an := a.Analyze(tt.text)
			checkInvariants(t, an)
			require.NotNil(t, an.Sentiment)
			for id, label := range tt.want {
				th := themeByID(an, id)
				require.NotNil(t, th, "theme %s not in %v", id, themeIDs(an))
				require.NotNil(t, th.Sentiment)
				if not, ok := strings.CutPrefix(label, "!"); ok {
					assert.NotEqual(t, not, th.Sentiment.Label, "sentiment of %s (%v)", id, th.Sentiment.Score)
				} else if label != "" {
					assert.Equal(t, label, th.Sentiment.Label, "sentiment of %s (%v)", id, th.Sentiment.Score)
				}
			}
			for _, id := range tt.not {
				assert.Nil(t, themeByID(an, id), "unexpected theme %s", id)
			}
		})
	}
}

func TestAnalyzeSentiment(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		text string
		want string // label, or "!negative"
	}{
		{"The support team was helpful.", "positive"},
		{"The support team was not helpful.", "negative"},
		{"The support team wasn\u2019t helpful.", "negative"},
		{"It was not bad.", "!negative"},
		{"Not bad at all, delivery was fine.", "!negative"},
		{"The order never arrived.", "negative"},
		{"The app didn't work.", "negative"},
		{"The app works.", "neutral"},
		{"No problems with the installation.", "positive"},
		{"Nobody replied to my emails.", "negative"},
		{"The food was good but the service was terrible.", "negative"},
		{"The service was terrible but the food was great.", "positive"},
		{"We ordered on Tuesday.", "neutral"},
		{"They really care about their customers.", "positive"},
		// Wishes ask for something; they praise nothing.
		{"Would love a dark mode.", "neutral"},
		{"Would be nice if it synced with my calendar.", "neutral"},
		{"I'd love to see an export button.", "neutral"},
		{"Would love to come back next year!", "positive"},
		// Review words VADER lacks, and words it reads as praise.
		{"Disgraceful.", "negative"},
		{"The checkout process is shambolic.", "negative"},
		{"Staff were chuffed to help, service was exceptional.", "positive"},
		{"Water bill is higher than my rent lol", "!positive"},
		{"Uber Eats driver was rude af", "negative"}, // "af" is no Danish here
		{"Our smart meter readings stopped.", "!positive"},
		{"Good morning, can you confirm my delivery date?", "neutral"},
		{"The journey planner is really handy and the live times are accurate.", "positive"},
		{"The latest update nerfed every character I paid for.", "negative"},
		// Quoted words are words: prose dropped "'submitted'" and kept
		// "'error" whole.
		{"The returns portal keeps saying 'error, try again later'.", "negative"},
		{"The 'express' breakfast was 'excellent'.", "positive"},
		{"They don't care about their customers at all.", "negative"},
		{"Customer care picked up after two rings.", "neutral"},
		{"Absolutely LOVE this app!!!", "positive"},
		// Company names VADER reads as praise: United (+1.8), Best Buy.
		{"United lost my bag and nobody at the desk could help.", "negative"},
		{"Ordered from Best Buy on Monday.", "neutral"},
		{"Supermarket prices are lower here.", "positive"},
		{"Scheduling an appointment online is impossible.", "negative"},
		{"The mobile app won't let me deposit checks anymore.", "negative"},
		{"They charged my card twice.", "negative"},
		{"My power was out for three days.", "negative"},
		{"The entertainment system didn't work.", "negative"},
		{"Our customer success manager left.", "neutral"},
		{"They keep calling me.", "negative"},
		{"10/10 would buy again", "positive"},
		{"0/10", "negative"},
		{"Offline mode is a game changer.", "positive"},
		{"Please improve your app.", "!positive"},
		{"The app needs improvement.", "negative"},
		{"Will be back!", "positive"},
		{"Heard nothing since. Avoid.", "negative"},
		{"The bed was super comfy.", "positive"},
		{"Charged me $9.99 without asking.", "negative"},
		{"It was ok until they started charging for basic features.", "negative"},
		// A praise word alone before a complaint is sarcasm.
		{"Great, another update that breaks everything.", "negative"},
		{"Oh perfect, the app crashed again.", "negative"},
		{"Thanks a lot, my parcel is lost.", "negative"},
		{"Great, thanks for the quick reply!", "positive"},
		{"Great, it works now.", "positive"},
		// Negated comparisons and expectations.
		{"The staff could not have been nicer.", "positive"},
		{"The staff could have been nicer.", "negative"},
		{"Checkout wasn't as smooth as I hoped.", "negative"},
		{"The agent didn't seem to care.", "negative"},
		{"Support was less than helpful.", "negative"},
		// Requests ("What could we do better?") praise nothing.
		{"Better packaging", "neutral"},
		{"Faster shipping please", "neutral"},
		{"Make the website easier to navigate", "neutral"},
		{"Better than expected!", "positive"},
		{"The new app is better.", "positive"},
		// Complaints and praise told as facts.
		{"My refund was supposed to arrive on Friday.", "negative"},
		{"Same thing with my parcel. It happened again.", "negative"},
		{"The hotel gym is non-existent.", "negative"},
		{"The branch never picks up the phone.", "negative"},
		{"Fitted right first time, and earlier than promised.", "positive"},
		{"Never had an issue with them.", "positive"},
		{"I had an issue with my invoice.", "negative"},
		{"Would be great to export reports as a spreadsheet.", "neutral"},
		{"The showers are lukewarm at best.", "negative"},
		{"Paid twice for the same ticket.", "negative"},
		{"Linked my bank with no fuss, smoothest setup ever.", "positive"},
		{"Tom on live chat sorted my issue in five minutes.", "positive"},
		// Questions ask; their praise words praise nothing.
		{"Is the apartment pet friendly?", "neutral"},
		{"Hello, will the large one be back in stock soon?", "neutral"},
		{"Why is the app so slow??", "negative"},
		{"Great hotel. Is breakfast included?", "positive"},
		{"Love the app and the support team is great, but when will you add dark mode?", "positive"},
		{"We would be delighted to stay here again.", "positive"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			an := a.Analyze(tt.text)
			checkInvariants(t, an)
			require.NotNil(t, an.Sentiment)
			if neg, ok := strings.CutPrefix(tt.want, "!"); ok {
				assert.NotEqual(t, neg, an.Sentiment.Label, "score %v", an.Sentiment.Score)
				return
			}
			assert.Equal(t, tt.want, an.Sentiment.Label, "score %v", an.Sentiment.Score)
		})
	}
}

func TestAnalyzeIntensifiers(t *testing.T) {
	a := analyzer(t)
	score := func(s string) float64 {
		an := a.Analyze(s)
		require.NotNil(t, an.Sentiment, s)
		return an.Sentiment.Score
	}
	assert.Less(t, score("The delivery was really slow."), score("The delivery was slow."))
	assert.Less(t, score("The delivery was slow."), 0.0)
	assert.Greater(t, score("The staff were very friendly."), score("The staff were friendly."))
	assert.Greater(t, score("The staff were friendly."), score("The staff were slightly friendly."))
}

func TestAnalyzeMatchOffsets(t *testing.T) {
	a := analyzer(t)
	texts := append(verbatims(t),
		"\u201cCheckout\u201d kept timing out \u2013 I\u2019m done. Charged twice!!",
		"Caf\u00e9 staff were lovely; the cr\u00e8me br\u00fbl\u00e9e dessert was stale.",
		"mail me: jane@example.com\tor +33 6 12 34 56 78 re: the refund\n\nthanks",
		"(the delivery driver) was rude... [seriously] the parcel &rsquo;s box was crushed",
	)
	for _, text := range texts {
		an := a.Analyze(text)
		checkInvariants(t, an)
		assert.NotEmpty(t, an.Themes, text)
	}
}

func TestAnalyzeRedactsFirst(t *testing.T) {
	a := analyzer(t)
	an := a.Analyze("Please email me at jane.doe@example.com or call 0612345678 about the refund.")
	checkInvariants(t, an)
	assert.Equal(t, "Please email me at [EMAIL] or call [PHONE] about the refund.", an.Text)
	assert.Equal(t, map[string]int{"email": 1, "phone": 1}, an.PII)
	th := themeByID(an, "returns_refunds")
	require.NotNil(t, th)
	at := strings.Index(an.Text, "refund")
	assert.Equal(t, []feedback.Match{{Text: "refund", Start: at, End: at + len("refund")}}, th.Matches)
	for _, p := range an.Phrases {
		assert.NotContains(t, p, "email")
		assert.NotContains(t, p, "phone")
	}
}

func TestAnalyzeEmpty(t *testing.T) {
	a := analyzer(t)
	for _, text := range []string{"", "   ", "\n\t "} {
		an := a.Analyze(text)
		assert.Equal(t, text, an.Text)
		assert.Equal(t, []feedback.Theme{}, an.Themes)
		assert.Nil(t, an.Sentiment)
		assert.Equal(t, map[string]int{}, an.PII)
		assert.Empty(t, an.Language)
		assert.Empty(t, an.Phrases)
	}
}

func TestAnalyzeOtherLanguages(t *testing.T) {
	a := analyzer(t)
	for _, text := range []string{
		"El repartidor nunca llegó y el servicio al cliente fue terrible, no lo recomiendo.",
		"Le livreur n'est jamais venu et le service client ne répond pas à mes messages.",
		"Der Kundenservice war sehr unfreundlich und die Lieferung kam nicht an.",
	} {
		an := a.Analyze(text)
		checkInvariants(t, an)
		assert.NotEmpty(t, an.Language)
		assert.NotEqual(t, "en", an.Language)
		assert.Empty(t, an.Themes, "no English guess on %s text", an.Language)
		assert.Nil(t, an.Sentiment)
	}
}

// TestAnalyzeOtherScripts: text mostly in another script than Latin gets
// its language when the letters tell, and never an English analysis, even
// with an English brand name or a lexicon emoji in it.
func TestAnalyzeOtherScripts(t *testing.T) {
	a := analyzer(t)
	for _, tt := range []struct{ text, lang string }{
		{"配送が遅かったです。カスタマーサポートも最悪でした。", "ja"},
		{"送货太慢了，客服也不回复。", "zh"},
		{"배송이 너무 늦었어요. 다시는 안 살 거예요 👎", "ko"},
		{"Доставка была очень медленной, поддержка не отвечает.", "ru"},
		{"Спасибо, всё хорошо", "ru"},
		{"Спасибо за помощь", "ru"},                               // a word only Russian uses
		{"Ужасное обслуживание, доставка опоздала на неделю", ""}, // Cyrillic, but which language?
		{"डिलीवरी में बहुत देर हुई, सपोर्ट ने जवाब नहीं दिया", "hi"},
		{"التوصيل كان سريعا جدا والخدمة ممتازة", "ar"},
		{"Η παράδοση ήταν γρήγορη, ευχαριστώ Amazon", "el"},
	} {
		an := a.Analyze(tt.text)
		checkInvariants(t, an)
		assert.Equal(t, tt.lang, an.Language, "%q", tt.text)
		assert.Nil(t, an.Sentiment, "no English sentiment on %q", tt.text)
		assert.Empty(t, an.Themes, "no English themes on %q", tt.text)
	}
}

// TestAnalyzeEmoji: emoji are sentiment words whatever the language, also
// in a run ("👍👍"), with a skin tone, or glued to a word.
func TestAnalyzeEmoji(t *testing.T) {
	a := analyzer(t)
	for _, tt := range []struct{ text, label string }{
		{"👍", "positive"},
		{"👍👍👍", "positive"},
		{"👍🏽", "positive"},
		{"😡😡", "negative"},
		{"❤️❤️", "positive"},
		{"great👍", "positive"},
		{"👎 never again", "negative"},
	} {
		an := a.Analyze(tt.text)
		checkInvariants(t, an)
		require.NotNil(t, an.Sentiment, "%q", tt.text)
		assert.Equal(t, tt.label, an.Sentiment.Label, "%q (score %v)", tt.text, an.Sentiment.Score)
	}
	one, three := a.Analyze("👍"), a.Analyze("👍👍👍")
	assert.Greater(t, three.Sentiment.Score, one.Sentiment.Score, "each emoji of a run counts")
}

// TestAnalyzeShortWordWithFullStop: prose keeps "Bad." whole as it keeps
// "Mr."; one-word reviews still get their sentiment.
func TestAnalyzeShortWordWithFullStop(t *testing.T) {
	a := analyzer(t)
	for _, tt := range []struct{ text, label string }{
		{"Bad.", "negative"},
		{"Ok.", "positive"},
		{"Wow.", "positive"},
		{"Meh.", "negative"},
		{"Bad service. Meh.", "negative"},
	} {
		an := a.Analyze(tt.text)
		checkInvariants(t, an)
		require.NotNil(t, an.Sentiment, "%q", tt.text)
		assert.Equal(t, tt.label, an.Sentiment.Label, "%q (score %v)", tt.text, an.Sentiment.Score)
	}
}

func TestAnalyzeUnknownShortText(t *testing.T) {
	a := analyzer(t)
	an := a.Analyze("Great app!")
	assert.Empty(t, an.Language, "too short to tell")
	require.NotNil(t, an.Sentiment, "English lexicon words: scored as English")
	assert.Equal(t, "positive", an.Sentiment.Label)
	assert.Empty(t, an.Themes, "naming the channel says nothing about its performance")

	for _, text := range []string{"Muy bueno", "No funciona", "Sehr gut"} {
		an = a.Analyze(text)
		assert.Nil(t, an.Sentiment, "%s: no English content words", text)
		assert.Empty(t, an.Themes)
	}

	an = a.Analyze("12345")
	assert.Nil(t, an.Sentiment)
	assert.Empty(t, an.Themes)
}

func TestAnalyzePhrases(t *testing.T) {
	a := analyzer(t)
	an := a.Analyze("The new loyalty card scheme is fine, but the self-service kiosk in the lobby keeps rejecting my gift voucher.")
	checkInvariants(t, an)
	assert.LessOrEqual(t, len(an.Phrases), 5)
	assert.Contains(t, an.Phrases, "self-service kiosk")
	for _, p := range an.Phrases {
		assert.Equal(t, strings.ToLower(p), p)
		assert.NotContains(t, []string{"fine", "the", "new"}, p)
	}
	// Phrases are deduplicated.
	an = a.Analyze("Kiosk broke. Kiosk broke again. Kiosk broke a third time.")
	seen := map[string]bool{}
	for _, p := range an.Phrases {
		assert.False(t, seen[p], p)
		seen[p] = true
	}
	// Counts, durations and generic words are no topic.
	an = a.Analyze("Setup took six weeks and half of the team waited twenty minutes for a login that never happened.")
	for _, p := range an.Phrases {
		assert.NotContains(t, []string{"six", "weeks", "half", "twenty", "minutes", "happened"}, p)
	}
	assert.Contains(t, an.Phrases, "team")
	// Contractions are no topic, with either apostrophe.
	an = a.Analyze("I've asked the locksmith twice and I’ve had enough.")
	assert.Equal(t, []string{"locksmith"}, an.Phrases)
	// What happened is no topic: past tenses and participles are left out,
	// nouns in -eed are not.
	an = a.Analyze("We stayed two nights, the minibar was emptied and the jacuzzi needed repairs at full speed.")
	assert.Equal(t, []string{"minibar", "jacuzzi", "repairs", "full speed"}, an.Phrases)
	// @mentions and links are no topic.
	an = a.Analyze("@AmericanAir where is my bag? See http://t.co/abc123 and www.example.com/status")
	assert.Equal(t, []string{"bag"}, an.Phrases)
}

func TestAnalyzeTruncates(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.MaxTextBytes = 40
	a, err := New(cfg)
	require.NoError(t, err)

	an := a.Analyze(strings.Repeat("é", 30)) // 60 bytes
	assert.Equal(t, strings.Repeat("é", 20), an.Text)

	// The cut would fall inside the phone number: it moves before it rather
	// than leak a partial number.
	an = a.Analyze("The refund is late, call me on +44 20 7946 0958 today")
	assert.Equal(t, "The refund is late, call me on ", an.Text)
	assert.Empty(t, an.PII)

	an = a.Analyze("Refund late. Mail jane@example.com now, the rest is cut off here")
	assert.Equal(t, "Refund late. Mail [EMAIL] now, ", an.Text, "the cap applies to the original text")
	assert.Equal(t, map[string]int{"email": 1}, an.PII)
	checkInvariants(t, an)
}

func TestAnalyzeInvalidUTF8(t *testing.T) {
	a := analyzer(t)
	an := a.Analyze("The refund \xff\xfe never came")
	checkInvariants(t, an)
	assert.Equal(t, "The refund \ufffd never came", an.Text)
	assert.NotNil(t, themeByID(an, "returns_refunds"))
}

func TestAnalyzeConcurrent(t *testing.T) {
	a := analyzer(t)
	texts := verbatims(t)
	want := make([]feedback.Analysis, len(texts))
	for i, s := range texts {
		want[i] = a.Analyze(s)
	}
	// A fresh analyzer so that the goroutines also race on cache misses.
	b, err := New(NewDefaultConfig())
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := make([][]feedback.Analysis, 8)
	for g := range got {
		wg.Go(func() {
			for r := 0; r < 5; r++ {
				for i := range texts {
					k := (i + g) % len(texts)
					an := b.Analyze(texts[k])
					if r == 0 {
						got[g] = append(got[g], an)
					}
					if !assert.Equal(t, want[k], an) {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for g := range got {
		assert.Len(t, got[g], len(texts))
	}
}

func TestThemesInfo(t *testing.T) {
	a := analyzer(t)
	infos := a.Themes()
	require.GreaterOrEqual(t, len(infos), 20)
	ids := map[string]bool{}
	for _, ti := range infos {
		assert.Regexp(t, `^[a-z][a-z0-9_]*$`, ti.ID)
		assert.False(t, ids[ti.ID])
		ids[ti.ID] = true
		assert.NotEmpty(t, ti.Label)
		assert.NotEmpty(t, ti.Group)
	}
	infos[0].ID = "mutated"
	assert.NotEqual(t, "mutated", a.Themes()[0].ID, "Themes returns a copy")
	// Every theme Analyze reports is in the closed set.
	for _, v := range verbatims(t) {
		for _, th := range a.Analyze(v).Themes {
			assert.True(t, ids[th.ID], th.ID)
		}
	}
}
