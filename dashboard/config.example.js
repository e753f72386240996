// The dashboard's settings for a hosted Supabase project. Copy this file to config.js beside
// index.html and fill in the two values from the project's API settings. The anon key is
// public by design: what a signed-in staff member may do is decided by the database.
// (The local stack writes its own config.js; this file is not used there.)
window.SUPPORT_DASHBOARD_CONFIG = {
  supabaseUrl: 'https://<project-ref>.supabase.co',
  anonKey: '<anon key>',
  // false: sign in through Supabase Auth (email + password, or a magic link).
  localSignIn: false,
  // Where the Flask layer (support_api) answers, for the CSV exports; default: <supabaseUrl>/api.
  // apiUrl: 'https://support-api.example.com/api',
  // Where the public help center (support_api's /help/ pages) answers, for the links to articles
  // on the Articles page and in replies; default: /help/ of the origin serving the dashboard.
  // helpCenterUrl: 'https://support-api.example.com/help/',
  // true: attachments open through signed URLs of the project's Storage API.
  storageServer: true,
};
