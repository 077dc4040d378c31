// Package jira decodes Jira Cloud / Jira Service Management webhooks
// (jira:issue_created, jira:issue_updated, comment_created,
// comment_updated) into ticket feedback records and verifies the WebSub
// X-Hub-Signature header.
//
// # Contract
//
// jira:issue_created yields the record issue:<issue.id> with the summary
// and description as text. jira:issue_updated yields a newer version of the
// same record only when its changelog touches the summary or the
// description; other updates are ErrIgnored. comment_created and
// comment_updated yield the record comment:<comment.id> with the comment
// body as text, unless the comment is internal (JSM jsdPublic false), by an
// app, or an agent reply; those are ErrIgnored. An agent reply is a comment
// by someone other than the reporter who is not a JSM customer account or,
// as in Jira Cloud comment webhooks whose issue carries no reporter, a
// comment by the assignee or by an atlassian account in a service desk
// project. Descriptions and comment bodies may be wiki-markup strings
// (backslash escapes removed) or Atlassian Document Format (ADF) objects;
// ADF is flattened to plain text. Version is the webhook
// timestamp in Unix milliseconds, so a newer state of one issue or comment
// wins. The event id is the X-Atlassian-Webhook-Identifier header
// (unchanged across retries). The customer is the reporter's accountId
// (for a comment without a reporter, the author's), never an email.
//
// Verify checks X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw
// body)> against every configured secret. Jira signs no timestamp.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing or ErrSignatureInvalid. All are prefixed "jira:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package jira
