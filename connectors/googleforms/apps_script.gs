/**
 * Corridor sender for Google Forms.
 *
 * Posts every submitted response of this form to Corridor's googleforms
 * connector (POST /v1/webhooks/googleforms), signed the Standard Webhooks
 * way: webhook-id = the response id, webhook-timestamp = Unix seconds of the
 * attempt, webhook-signature = "v1," + base64(HMAC-SHA256(key,
 * "{id}.{timestamp}.{body}")), where key is the base64-decoded part of the
 * whsec_ secret. Retries on network errors, 429 and 5xx.
 *
 * Setup (see connectors/googleforms/README.md):
 *   1. Form editor > ⋮ > Apps Script; paste this file.
 *   2. Project Settings > Script Properties: CORRIDOR_URL and CORRIDOR_SECRET.
 *   3. Run install() once and grant access.
 *
 * This file is the reference copy; README.md embeds the same script.
 */

// Items whose answers are identifiers, not feedback: 'Item title': 'hidden
// name'. Their answers are sent in form_response.hidden and never as text.
// customer_id, account_id, role, touchpoint, team, location and agent set
// record fields; other names become hidden.<name> attributes.
var HIDDEN_ITEMS = {
  // 'Customer ID': 'customer_id',
  // 'Account': 'account_id',
};

// Attempts in all, with backoff (2 s, 8 s, 32 s, plus jitter) or the
// server's Retry-After between them.
var MAX_ATTEMPTS = 4;

/** Installs the onFormSubmit trigger for this form (run once). */
function install() {
  var form = FormApp.getActiveForm();
  var exists = ScriptApp.getProjectTriggers().some(function (t) {
    return t.getHandlerFunction() === 'onFormSubmit';
  });
  if (!exists) {
    ScriptApp.newTrigger('onFormSubmit').forForm(form).onFormSubmit().create();
  }
}

/** Installable trigger: sends one submitted response. */
function onFormSubmit(e) {
  var props = PropertiesService.getScriptProperties();
  var url = props.getProperty('CORRIDOR_URL');
  var secret = props.getProperty('CORRIDOR_SECRET');
  if (!url || !secret) {
    throw new Error('Set CORRIDOR_URL and CORRIDOR_SECRET in Project Settings > Script Properties');
  }
  var form = e.source || FormApp.getActiveForm();
  var response = e.response;
  var body = JSON.stringify(buildPayload_(form, response));
  // Standard Webhooks ids must not contain '.'.
  var msgId = String(response.getId()).replace(/\./g, '_');
  send_(url, secret, msgId, body);
}

/** Resends every response submitted since isoDate (backfill after an outage). */
function resendSince(isoDate) {
  var form = FormApp.getActiveForm();
  form.getResponses(new Date(isoDate)).forEach(function (response) {
    onFormSubmit({source: form, response: response});
  });
}

function buildPayload_(form, response) {
  var answers = [];
  var hidden = {};
  response.getItemResponses().forEach(function (itemResponse) {
    var item = itemResponse.getItem();
    var title = item.getTitle();
    var value = normalize_(itemResponse.getResponse());
    if (value === null) {
      return;
    }
    if (Object.prototype.hasOwnProperty.call(HIDDEN_ITEMS, title)) {
      hidden[HIDDEN_ITEMS[title]] = Array.isArray(value) ? value.join(', ') : value;
      return;
    }
    var t = item.getType();
    if (t == FormApp.ItemType.FILE_UPLOAD) {
      return; // Drive file ids, not feedback
    }
    var field = {id: item.getId(), title: title, type: typeName_(t)};
    if (t == FormApp.ItemType.SCALE) {
      var scale = item.asScaleItem();
      field.min = scale.getLowerBound();
      field.max = scale.getUpperBound();
    } else if (t == FormApp.ItemType.RATING) {
      field.min = 1;
      field.max = item.asRatingItem().getRatingScaleLevel();
    }
    answers.push({field: field, response: value});
  });
  var id = String(response.getId());
  // The respondent's email (getRespondentEmail) is deliberately not sent.
  return {
    event_id: id,
    event_type: 'form_response',
    form_response: {
      form_id: form.getId(),
      form_title: form.getTitle(),
      response_id: id,
      submitted_at: response.getTimestamp().toISOString(),
      hidden: hidden,
      answers: answers
    }
  };
}

// typeName_ returns the FormApp.ItemType name the connector reads.
function typeName_(t) {
  if (t == FormApp.ItemType.SCALE) return 'SCALE';
  if (t == FormApp.ItemType.RATING) return 'RATING';
  if (t == FormApp.ItemType.TEXT) return 'TEXT';
  if (t == FormApp.ItemType.PARAGRAPH_TEXT) return 'PARAGRAPH_TEXT';
  return String(t);
}

// normalize_ turns a response into a string or a list of strings; grid rows
// (lists) are joined with ', '. Unanswered items give null.
function normalize_(v) {
  if (v === null || v === undefined) {
    return null;
  }
  if (Array.isArray(v)) {
    return v.map(function (x) {
      if (x === null || x === undefined) return '';
      return Array.isArray(x) ? x.join(', ') : String(x);
    });
  }
  return String(v);
}

// utf8_ returns the UTF-8 bytes of s.
function utf8_(s) {
  return Utilities.base64Decode(Utilities.base64Encode(s, Utilities.Charset.UTF_8));
}

// key_ returns the HMAC key: the base64-decoded part of a whsec_ secret, or
// the UTF-8 bytes of any other secret (as Corridor reads it).
function key_(secret) {
  secret = secret.trim();
  if (secret.indexOf('whsec_') === 0) {
    return Utilities.base64Decode(secret.substring('whsec_'.length));
  }
  return utf8_(secret);
}

function send_(url, secret, msgId, body) {
  var key = key_(secret);
  var bodyBytes = utf8_(body);
  var code = 0;
  var detail = '';
  for (var attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // A fresh timestamp and signature per attempt; the same webhook-id.
    var ts = String(Math.floor(Date.now() / 1000));
    var signed = utf8_(msgId + '.' + ts + '.').concat(bodyBytes);
    var signature = Utilities.base64Encode(Utilities.computeHmacSha256Signature(signed, key));
    var res = null;
    try {
      res = UrlFetchApp.fetch(url, {
        method: 'post',
        contentType: 'application/json',
        payload: bodyBytes,
        headers: {
          'webhook-id': msgId,
          'webhook-timestamp': ts,
          'webhook-signature': 'v1,' + signature
        },
        muteHttpExceptions: true,
        followRedirects: false
      });
      code = res.getResponseCode();
      detail = res.getContentText().slice(0, 300);
    } catch (err) {
      code = 0; // DNS, TLS, timeout
      detail = String(err);
    }
    if (code >= 200 && code < 300) {
      return;
    }
    if (code !== 0 && code !== 429 && code < 500) {
      // 4xx other than 429 (bad signature, malformed body, wrong URL) will
      // not succeed on retry. Throwing makes Apps Script report the failure.
      throw new Error('Corridor refused response ' + msgId + ': HTTP ' + code + ' ' + detail);
    }
    if (attempt < MAX_ATTEMPTS) {
      Utilities.sleep(backoff_(attempt, res));
    }
  }
  throw new Error('Corridor did not accept response ' + msgId + ' after ' + MAX_ATTEMPTS +
      ' attempts (last HTTP ' + code + ' ' + detail + '); run resendSince() later');
}

// backoff_ returns the wait before the next attempt in milliseconds: the
// server's Retry-After (seconds, capped at 60), else 2 s, 8 s, 32 s plus up
// to 1 s of jitter.
function backoff_(attempt, res) {
  if (res) {
    var headers = res.getHeaders();
    var retryAfter = Number(headers['Retry-After'] || headers['retry-after']);
    if (retryAfter > 0) {
      return Math.min(retryAfter, 60) * 1000;
    }
  }
  return Math.min(2000 * Math.pow(4, attempt - 1), 60000) + Math.floor(Math.random() * 1000);
}
