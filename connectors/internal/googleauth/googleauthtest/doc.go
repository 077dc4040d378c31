// Package googleauthtest is a fake Google OAuth 2.0 token endpoint for
// tests of googleauth and of the pollers that use it. It checks each
// service-account assertion as Google would (RS256 signature by the
// account's key, iss, aud, scope, lifetime) and each refresh-token grant
// (client id, secret and token), and answers with a bearer token.
package googleauthtest
