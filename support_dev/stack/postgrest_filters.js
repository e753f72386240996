// The local gateway's refusal of pattern filters (nginx njs; loaded by the generated nginx
// config, support_dev/stack/gateway_policy.py). PostgREST lets a caller filter any column it may
// read with like, ilike, match, imatch and the full-text operators; a regular expression that
// PostgreSQL takes a quarter of a second to compile costs the same on a single row (a user's own
// ticket; first seen on support_messages, which users no longer read at all), so a few accounts
// with two such reads each held every connection of PostgREST's pool. No client of ours filters a table by pattern: users and
// staff search through the RPCs, which bound what a search costs.
//
// The query string is read percent-decoded, as PostgREST reads it: `%6Datch` is `match`.

// An operator at the start of a filter's value (`col=not.match.x`, `col=like(any).{…}`,
// `col=fts(english).x`), or after a column inside a logic tree (`or=(col.imatch.x,…)`).
const OPERATOR = '(not\\.)?(i?like|i?match|(pl|ph|w)?fts)(\\([^)]*\\))?\\.';
const IN_VALUE = new RegExp('^' + OPERATOR, 'i');
const IN_TREE = new RegExp('[(,]\\s*[^.,()]+\\.' + OPERATOR, 'i');
const LOGIC_KEY = /(^|\.)(not\.)?(or|and)$/i;

function decoded(text) {
    // Byte by byte: a malformed or non-UTF-8 escape still decodes to something to test.
    return text.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g,
        function (_, hex) { return String.fromCharCode(parseInt(hex, 16)); });
}

function patternFilter(r) {
    const args = r.variables.args;
    if (!args) {
        return '';
    }
    const pairs = args.split('&');
    for (let i = 0; i < pairs.length; i++) {
        const pair = pairs[i];
        const equals = pair.indexOf('=');
        if (equals < 0) {
            continue;
        }
        const key = decoded(pair.slice(0, equals));
        const value = decoded(pair.slice(equals + 1));
        if (IN_VALUE.test(value) || (LOGIC_KEY.test(key) && IN_TREE.test(value))) {
            return '1';
        }
    }
    return '';
}

export default { patternFilter };
