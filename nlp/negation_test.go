package nlp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThemeSentimentNegation: negation and intensifiers act on the
// sentiment of the theme they are about ("!label" = anything but label).
func TestThemeSentimentNegation(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		text  string
		theme string
		want  string
	}{
		{"The agent was not helpful.", "customer_support", "negative"},
		{"The agent was helpful.", "customer_support", "positive"},
		{"The agent wasn't helpful at all.", "customer_support", "negative"},
		{"The staff were not rude at all.", "staff_attitude", "!negative"},
		{"The waiter wasn't friendly.", "staff_attitude", "negative"},
		{"My parcel never arrived.", "delivery", "negative"},
		{"The parcel arrived.", "delivery", "neutral"},
		{"My tracking number is 1Z999AA10123456784.", "delivery", "neutral"},
		{"The delivery was not late.", "delivery", "!negative"},
		{"No problems with the checkout.", "checkout", "!negative"},
		{"Billing was never an issue.", "billing", "!negative"},
		{"The app is really slow.", "web_performance", "negative"},
		{"The refund was extremely quick.", "returns_refunds", "positive"},
		{"The food was good but the service was terribly slow.", "food_quality", "positive"},
		{"Nobody ever called back about my invoice.", "communication", "negative"},
		{"The installation didn't work.", "onboarding", "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			an := a.Analyze(tt.text)
			checkInvariants(t, an)
			th := themeByID(an, tt.theme)
			require.NotNil(t, th, "theme %s not in %v", tt.theme, themeIDs(an))
			require.NotNil(t, th.Sentiment)
			if not, ok := strings.CutPrefix(tt.want, "!"); ok {
				assert.NotEqual(t, not, th.Sentiment.Label, "score %v", th.Sentiment.Score)
				return
			}
			assert.Equal(t, tt.want, th.Sentiment.Label, "score %v", th.Sentiment.Score)
		})
	}

	// Intensifiers move the theme's score, both ways.
	score := func(text, theme string) float64 {
		th := themeByID(a.Analyze(text), theme)
		require.NotNil(t, th, text)
		return th.Sentiment.Score
	}
	assert.Less(t, score("The app is really slow.", "web_performance"), score("The app is slow.", "web_performance"))
	assert.Greater(t, score("The staff were extremely friendly.", "staff_attitude"), score("The staff were friendly.", "staff_attitude"))
	assert.Greater(t, score("The staff were friendly.", "staff_attitude"), score("The staff were somewhat friendly.", "staff_attitude"))
}
