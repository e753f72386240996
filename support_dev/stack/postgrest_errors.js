// The local gateway's rewrite of PostgREST's error bodies (nginx njs; loaded by the generated
// nginx config, support_dev/stack/gateway_errors.py): the error shape {code, message, details,
// hint} is kept, what the caller sent is taken out.
//
// PostgreSQL's input functions quote the text they could not read ("invalid input syntax for
// type uuid: "…"", "value "…" is out of range for type integer", "Token "…" is invalid.") and
// PostgREST quotes the filter it could not parse and the Accept and Prefer values it refuses.
// They run inside PostgREST's own statement, before any function of ours, so the database
// cannot word them: this is the only place left. Nothing here is logged.

// Names of columns, relations and functions stay (they say what is wrong); a field longer than
// this is cut, as the RPCs' own unknown-field errors are.
const MAX_FIELD = 200;

// Per request: njs gives each request its own copy of these.
let rewriting = false;
const parts = [];

function isDataException(code, message) {
    // Class 22 is PostgreSQL's "data exception": a value that does not fit its type. 22023 is
    // also what our own functions raise (worded by us, quoting nothing); of PostgreSQL's, only
    // the time-zone one quotes.
    if (code === '22023') {
        return /^time zone "[\s\S]*" not recognized$/.test(message);
    }
    return /^22[0-9A-Z]{3}$/.test(code);
}

function withoutQuoted(text) {
    // Greedy: a quoted value may hold quotes of its own; everything between the first and the
    // last quote goes.
    return text.replace(/:? ?"[\s\S]*"/, '').replace(/\s+$/, '');
}

function quotesNothing(text) {
    return typeof text === 'string' && text.indexOf('"') >= 0 ? null : text;
}

function cut(text) {
    return typeof text === 'string' && text.length > MAX_FIELD
        ? text.slice(0, MAX_FIELD) + '…' : text;
}

function sanitized(error) {
    const code = String(error.code);
    const message = String(error.message || '');
    if (isDataException(code, message)) {
        error.message = withoutQuoted(message);
        error.details = quotesNothing(error.details);
        error.hint = quotesNothing(error.hint);
    } else if (code === 'PGRST100') {
        // "failed to parse filter (eq.…)" (line 1, column 4): the filter, value and all, and
        // where in it the parser stopped.
        error.message = message.replace(
            /^"(failed to parse [a-z ]+?) \([\s\S]*\)" \(line \d+, column \d+\)$/, '$1');
        // unexpected "x" expecting …: one character of it.
        if (typeof error.details === 'string') {
            error.details = error.details.replace(/^unexpected "(?:[^"\\]|\\[\s\S])*"/,
                                                  'unexpected character');
        }
    } else if (code === 'PGRST103' && typeof error.details === 'string') {
        // "An offset of 987654 was requested, but there are only 6 rows."
        error.details = error.details.replace(
            /^An offset of \d+ was requested, but there are only (\d+) rows\.$/,
            'The requested offset is past the last of the $1 rows.');
    } else if (code === 'PGRST107') {
        error.message = 'None of the media types in the Accept header are available';
    } else if (code === 'PGRST122') {
        error.details = 'Invalid preferences in the Prefer header';
    }
    error.message = cut(error.message);
    error.details = cut(error.details);
    error.hint = cut(error.hint);
    return error;
}

function headers(r) {
    rewriting = r.status >= 400
        && /^application\/json/.test(r.headersOut['Content-Type'] || '');
    if (rewriting) {
        // The body's length changes.
        delete r.headersOut['Content-Length'];
    }
}

function rewritten(body) {
    let error;
    try {
        error = JSON.parse(body.toString('utf8'));
    } catch (e) {
        return body;
    }
    if (error === null || typeof error !== 'object' || Array.isArray(error)
        || !('code' in error) || !('message' in error)) {
        return body;
    }
    return JSON.stringify(sanitized(error));
}

function body(r, data, flags) {
    if (!rewriting) {
        r.sendBuffer(data, flags);
        return;
    }
    parts.push(data);
    if (flags.last) {
        r.sendBuffer(rewritten(Buffer.concat(parts)), flags);
    }
}

export default { headers, body };
