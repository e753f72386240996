// The local gateway's rewrite of PostgREST's error bodies (nginx njs; loaded by the generated
// nginx config, support_dev/stack/gateway_errors.py): the error shape {code, message, details,
// hint} is kept, what the caller sent is taken out.
//
// PostgreSQL's input functions quote the text they could not read ("invalid input syntax for
// type uuid: "…"", "value "…" is out of range for type integer", "Token "…" is invalid.") and
// PostgREST quotes the filter it could not parse and the Accept and Prefer values it refuses.
// They run inside PostgREST's own statement, before any function of ours, so the database
// cannot word them: this is the only place left. Nothing here is logged.
//
// It also sets the status PostgREST 12 cannot: a statement stopped by its timeout and a real
// failure (a bug, a deadlock) are both its 500, told apart by the body's code alone. `relay`
// reads PostgREST's whole answer first (a subrequest), then answers a timeout, an exhausted
// pool (504) or an unreachable PostgREST 503 with Retry-After, and any other 500 with a
// generic message, never the database's text.

// Names of columns, relations and functions stay (they say what is wrong); a field longer than
// this is cut, as the RPCs' own unknown-field errors are.
const MAX_FIELD = 200;

// PostgreSQL's codes for "retry shortly": a statement stopped by a timeout (statement, lock,
// idle transaction) or cancelled, and the server shutting down or starting (PostgREST answers
// 57P01-57P03 500 too); the Flask layer's twin: RETRY_CODES in support_api/postgrest.py.
const RETRY_CODES = ['57014', '55P03', '25P03', '57P01', '57P02', '57P03'];
const BUSY = {
    code: 'GATEWAY503',
    message: 'The database did not answer in time (the request took too long or the service '
        + 'is busy); retry shortly',
    details: null,
    hint: null,
};
const FAILED = {
    code: 'GATEWAY500',
    message: 'Internal server error',
    details: 'The database could not complete the request; nothing was changed.',
    hint: null,
};
// Hop-by-hop or set anew by nginx for the answer it sends.
const NOT_RELAYED = ['connection', 'content-length', 'date', 'keep-alive', 'server',
                     'transfer-encoding'];

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

function parsed(body) {
    try {
        const error = JSON.parse(body.toString('utf8'));
        return error !== null && typeof error === 'object' && !Array.isArray(error)
            && 'code' in error && 'message' in error ? error : null;
    } catch (e) {
        return null;
    }
}

function answer(r, status, body) {
    r.headersOut['Content-Type'] = 'application/json';
    if (r.variables.cors_allow_origin) {
        r.headersOut['Access-Control-Allow-Origin'] = r.variables.cors_allow_origin;
    }
    if (status === 503) {
        r.headersOut['Retry-After'] = '5';
    }
    r.return(status, JSON.stringify(body));
}

function relayed(r, reply) {
    const body = reply.responseBuffer || Buffer.from('');
    const json = /^application\/json/.test(reply.headersOut['Content-Type'] || '');
    const error = reply.status >= 400 && json ? parsed(body) : null;
    if (reply.status === 502 || reply.status === 503 || reply.status === 504
        || (reply.status === 500 && error && RETRY_CODES.indexOf(String(error.code)) >= 0)) {
        answer(r, 503, BUSY);
        return;
    }
    if (reply.status >= 500) {
        answer(r, 500, FAILED);
        return;
    }
    Object.keys(reply.headersOut).forEach(function (name) {
        if (NOT_RELAYED.indexOf(name.toLowerCase()) < 0) {
            r.headersOut[name] = reply.headersOut[name];
        }
    });
    r.return(reply.status, error ? JSON.stringify(sanitized(error)) : body);
}

function relay(r) {
    const options = { method: r.method };
    // An empty body (Content-Length: 0) is no body: njs refuses an empty one here.
    if (r.requestBuffer && r.requestBuffer.length > 0) {
        options.body = r.requestBuffer;
    }
    r.subrequest('/__postgrest', options)
        .then(function (reply) { relayed(r, reply); })
        .catch(function () { answer(r, 503, BUSY); });
}

export default { relay };
