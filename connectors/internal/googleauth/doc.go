// Package googleauth turns Google credentials into OAuth 2.0 access
// tokens. A service-account key (the JSON file the Cloud console issues)
// serves server-to-server calls, as Google's "Using OAuth 2.0 for Server
// to Server Applications" describes: a JWT signed RS256 with the key is
// exchanged at the token URL (grant type
// urn:ietf:params:oauth:grant-type:jwt-bearer) for a bearer token. The
// Google Play and Google Business Profile pollers use it.
//
// # Contract
//
// New parses and checks the credentials file once. A service-account key
// (type service_account: client_email, an RSA private_key in PEM, PKCS#8 or
// PKCS#1) is exchanged as above; its assertion carries
// iss=client_email, scope=the configured scopes joined by spaces,
// aud=the token URL, iat=now and exp=now+1h, and kid=private_key_id in its
// header. The token URL is Config.TokenURL, else the key's token_uri, else
// DefaultTokenURL; it must be https, or http on a loopback host (tests).
// An authorized user's file (type authorized_user: client_id,
// client_secret, refresh_token, as gcloud writes it) uses the refresh-token
// grant instead, for APIs that want a user's consent (Google Business
// Profile).
//
// Token returns a cached token until one minute before it expires, then
// fetches a new one; concurrent callers share one fetch. Invalidate drops
// the cached token (call it when an API answered 401 with it). Redirects
// are not followed, and the key, the assertion and the token never appear
// in errors.
//
// # Errors
//
// New returns plain errors naming the problem (configuration, fail fast).
// Token returns errors wrapping connectors.ErrUnauthorized when the token
// endpoint refuses the credentials (400, 401, 403: a revoked key or
// refresh token, a wrong scope, a clock far off), or
// connectors.ErrUpstream when it cannot be reached, answers 429 or 5xx
// after three tries, or answers something that is not a token. All are
// prefixed "googleauth:".
//
// # Concurrency
//
// A TokenSource is safe for concurrent use.
package googleauth
