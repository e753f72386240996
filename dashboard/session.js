// Who is signed in, and the supabase-js client that acts as them.
//
// Hosted projects: Supabase Auth (email + password, or a magic link); supabase-js keeps the
// session. The local stack has no Auth server: `make dev` prints a link per demo staff member
// whose URL fragment carries a JWT minted with the local secret. The fragment never reaches a
// server; it is moved into this tab's sessionStorage and removed from the address bar.

const TOKEN_KEY = 'support-dashboard.local-token';

export function readConfig() {
  const config = window.SUPPORT_DASHBOARD_CONFIG;
  if (!config || !config.supabaseUrl || !config.anonKey) return null;
  return config;
}

// Claims are read for display (email) and to notice expiry; the database decides the rest.
function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part));
  } catch {
    return null;
  }
}

function takeTokenFromFragment() {
  if (!location.hash.startsWith('#access_token=')) return;
  const token = new URLSearchParams(location.hash.slice(1)).get('access_token');
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, '', `${location.pathname}#/queue`);
}

// Fair share (public.request_limits) refuses a user's requests beyond a few at once with 429
// "Too many requests at once" before anything runs (its transaction rolls back), so sending one
// again is safe: a page that opens with a dozen requests sends the refused ones again, a little
// later each time, instead of showing the refusal. Any other 429 (an hourly rate limit) stands.
async function fetchTakingTurns(input, init) {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(input, init);
    if (response.status !== 429 || attempt > 6) return response;
    const body = await response.clone().json().catch(() => null);
    if (body?.message !== 'Too many requests at once') return response;
    await new Promise((resolve) => setTimeout(resolve, attempt * (100 + Math.random() * 200)));
  }
}

const clientOptions = { global: { fetch: fetchTakingTurns } };

function localSession(config) {
  takeTokenFromFragment();
  const token = sessionStorage.getItem(TOKEN_KEY);
  const claims = token && claimsOf(token);
  if (!claims || !claims.sub || (claims.exp && claims.exp * 1000 < Date.now())) {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
  const client = window.supabase.createClient(config.supabaseUrl, config.anonKey, {
    ...clientOptions,
    accessToken: async () => token,
  });
  return {
    client,
    user: { id: claims.sub, email: claims.email || claims.sub },
    accessToken: async () => token,
    signOut: async () => sessionStorage.removeItem(TOKEN_KEY),
  };
}

async function hostedSession(client) {
  const { data } = await client.auth.getSession();
  const session = data && data.session;
  if (!session) return null;
  return {
    client,
    user: { id: session.user.id, email: session.user.email },
    accessToken: async () => (await client.auth.getSession()).data.session?.access_token,
    signOut: async () => { await client.auth.signOut(); },
  };
}

// The signed-in session, or {signIn} describing how to sign in.
export async function startSession(config) {
  if (config.localSignIn) {
    return localSession(config) ?? { signIn: 'local' };
  }
  const client = window.supabase.createClient(config.supabaseUrl, config.anonKey, clientOptions);
  return (await hostedSession(client)) ?? { signIn: 'hosted', client };
}
