package feedback

import _ "embed"

// SchemaJSON is the JSON Schema (draft 2020-12) of record v1.
//
//go:embed record.v1.schema.json
var SchemaJSON []byte
