// The dashboard's only way to the data: PostgREST operations through supabase-js, with the
// signed-in staff member's JWT. Every RPC and table the pages use is named here, once
// (tests/test_dashboard_modules.py fails on one named elsewhere). Each call answers the data
// or throws a DbError carrying the status and PostgREST's {code, message, details, hint}
// unchanged.

export class DbError extends Error {
  constructor({ status, code, message, details, hint }) {
    super(message || 'The request failed');
    this.status = status;
    this.code = code;
    this.details = details;
    this.hint = hint;
  }

  // The answer of support_update_ticket to a stale expected_updated_at: told apart by its
  // stable code (public.support_messages), never by the message support may reword.
  get isConflict() {
    return this.code === 'ticket_changed';
  }

  // support_reply's refusal of a public reply written while a newer public message arrived
  // (docs/bulk-and-collisions.md): details names that message {message_id, author_kind, created_at}.
  get isReplyCollision() {
    return this.code === 'reply_collision';
  }

  get newerMessage() {
    try {
      return typeof this.details === 'string' ? JSON.parse(this.details) : this.details;
    } catch {
      return null;
    }
  }
}

async function answer(request) {
  const { data, error, status } = await request;
  if (error) throw new DbError({ ...error, status });
  return data;
}

// A count without rows (HEAD, Prefer: count=exact): what RLS lets the caller see.
async function count(request) {
  const { count: rows, error, status } = await request;
  if (error) throw new DbError({ ...error, status });
  return rows;
}

function defined(params) {
  return Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  );
}

// A CSV export of the Flask layer (GET /api/staff/<name>.csv, docs/views-and-export.md), with
// the staff member's JWT: the file as a Blob, or the route's error as a DbError.
async function csvExport(http, name, params) {
  const query = new URLSearchParams(defined(params)).toString();
  const response = await fetch(`${http.apiUrl}/staff/${name}.csv${query ? `?${query}` : ''}`, {
    headers: { Authorization: `Bearer ${await http.accessToken()}` },
  });
  if (!response.ok) {
    const error = await response.json().catch(() => ({ message: `The export failed (${response.status})` }));
    throw new DbError({ ...error, status: response.status });
  }
  return response.blob();
}

export function createApi(client, http = {}) {
  return {
    queue: (params) => answer(client.rpc('support_queue', defined(params))),
    // Saved views (docs/views-and-export.md): the table's policies decide who sees and keeps
    // which (shared ones are admins', personal ones their author's); the counts come from the
    // database, as support_queue(view) counts them.
    savedViews: () => answer(client.from('saved_views').select('id,name,owner_id,conditions,columns,sort,position')
      .order('position').order('name')),
    viewCounts: () => answer(client.rpc('support_view_counts')),
    saveView: (view) => answer(client.from('saved_views').insert(view).select('id')),
    removeView: (id) => answer(client.from('saved_views').delete().eq('id', id).select('id')),
    viewConditionFields: () => answer(client.from('view_condition_fields').select('field,operators,value_kind,expects,description')),
    viewColumns: () => answer(client.from('view_columns').select('code,label').order('position')),
    exportTickets: (params) => csvExport(http, 'tickets', params),
    exportFeedback: (params) => csvExport(http, 'feedback', params),
    ticket: (ticketId) => answer(client.rpc('support_ticket', { ticket_id: ticketId })),
    updateTicket: (body) => answer(client.rpc('support_update_ticket', body)),
    reply: (body) => answer(client.rpc('support_reply', body)),
    staff: () => answer(client.from('support_staff').select('user_id,display_name,role').order('display_name')),
    agentMoves: () => answer(client.from('ticket_transitions')
      .select('from_status,to_status,requires_resolution,description')
      .eq('actor_kind', 'agent')),
    labels: () => answer(client.rpc('vocabulary_labels')),
    stats: (params) => answer(client.rpc('support_stats', defined(params))),
    deadNotifications: () => count(client.from('dead_notifications').select('id', { count: 'exact', head: true })),
    feedbackQueue: (params) => answer(client.rpc('support_feedback_queue', defined(params))),
    feedbackMoves: () => answer(client.from('feedback_transitions')
      .select('from_status,to_status,description')
      .eq('with_feature', false)),
    feedbackSuggestions: (params) => answer(client.rpc('support_feedback_suggestions', defined(params))),
    reviewFeedback: (body) => answer(client.rpc('support_review_feedback', body)),
    // The public feedback board (docs/feedback-board.md): posts, roadmap, changelog and their editors.
    boardPosts: (params) => answer(client.rpc('board_posts', defined(params))),
    roadmap: () => answer(client.rpc('roadmap')),
    changelog: (params) => answer(client.rpc('changelog', defined(params))),
    publishFeedback: (body) => answer(client.rpc('support_publish_feedback', body)),
    mergeFeedback: (body) => answer(client.rpc('support_merge_feedback', body)),
    updatePost: (body) => answer(client.rpc('support_update_post', body)),
    saveChangelogEntry: (body) => answer(client.rpc('support_save_changelog_entry', body)),
    // Auto-triage (docs/triage.md): a ticket's suggestions and look-alikes, a decision on one
    // suggestion (feedback's or a ticket's), linking a report to its problem, the report.
    suggestions: (ticketId) => answer(client.rpc('support_suggestions', { ticket_id: ticketId })),
    similarTickets: (ticketId) => answer(client.rpc('support_similar_tickets', { ticket_id: ticketId })),
    decideSuggestion: (body) => answer(client.rpc('support_decide_suggestion', body)),
    linkProblem: (body) => answer(client.rpc('support_link_problem', body)),
    triageReport: (params) => answer(client.rpc('support_triage_report', params)),
    // Admins only: a page of the audit log, with the audited tables.
    auditLog: (params) => answer(client.rpc('support_audit_log', defined(params))),
    // Macros, tags and custom fields (docs/dashboard.md, "Macros, tags and fields"). The
    // tables' policies decide who sees and changes what: shared macros are admins', personal
    // ones their author's; the tag list, its setting and the field definitions are admins'.
    macros: () => answer(client.from('macros').select('id,name,body,internal,changes,owner_id,usage_count').order('name')),
    saveMacro: (macro) => answer(client.from('macros').insert(macro).select('id')),
    removeMacro: (id) => answer(client.from('macros').delete().eq('id', id).select('id')),
    macroVariables: () => answer(client.from('macro_variables').select('code,label').order('position')),
    renderMacro: (ticketId, macroId) => answer(client.rpc('support_render_macro', { ticket_id: ticketId, macro_id: macroId })),
    applyMacro: (body) => answer(client.rpc('support_apply_macro', body)),
    tags: () => answer(client.from('tags').select('name,label,description').order('name')),
    saveTag: (tag) => answer(client.from('tags').insert(tag).select('name')),
    removeTag: (name) => answer(client.from('tags').delete().eq('name', name).select('name')),
    tagSettings: () => answer(client.from('tag_settings').select('tags_from_list').single()),
    setTagSettings: (fields) => answer(client.from('tag_settings').update(fields).eq('id', true).select('tags_from_list')),
    tagTicket: (body) => answer(client.rpc('support_tag_ticket', body)),
    customFields: () => answer(client.from('custom_fields')
      .select('key,label,field_type,options,ticket_type,required,visible_to_user,position')
      .order('position').order('key')),
    customFieldTypes: () => answer(client.from('custom_field_types').select('code,label').order('position')),
    saveField: (field) => answer(client.from('custom_fields').insert(field).select('key')),
    removeField: (key) => answer(client.from('custom_fields').delete().eq('key', key).select('key')),
    setTicketFields: (body) => answer(client.rpc('support_set_ticket_fields', body)),
    // Rules and business hours (docs/rules.md, docs/service-levels.md): tables that row level
    // security opens to staff for reading and to admins for changing.
    rules: () => answer(client.from('ticket_rules').select('*').order('position').order('id')),
    saveRule: (id, body) => answer(id
      ? client.from('ticket_rules').update(body).eq('id', id).select()
      : client.from('ticket_rules').insert(body).select()),
    timeRules: () => answer(client.from('ticket_time_rules').select('*').order('position').order('id')),
    saveTimeRule: (id, body) => answer(client.from('ticket_time_rules').update(body).eq('id', id).select()),
    ruleRuns: () => answer(client.from('ticket_rule_runs')
      .select('id,rule_name,ticket_id,event,dry_run,actions,refused,created_at')
      .order('id', { ascending: false }).limit(20)),
    timeRuleRuns: () => answer(client.from('ticket_time_rule_runs')
      .select('id,rule_name,ticket_id,dry_run,actions,refused,created_at')
      .order('id', { ascending: false }).limit(20)),
    ticketRuleRuns: (ticketId) => answer(client.from('ticket_rule_runs')
      .select('id,rule_name,event,dry_run,actions,refused,created_at')
      .eq('ticket_id', ticketId).order('id')),
    schedules: () => answer(client.from('business_schedules')
      .select('id,name,time_zone,is_default,business_hours(weekday,opens,closes),business_schedule_dates(day,opens,closes,note)')
      .order('name')),
    slaPolicies: () => answer(client.from('sla_policies').select('priority,schedule_id')),
    addScheduleDate: (body) => answer(client.from('business_schedule_dates').insert(body).select()),
    // Help center (docs/help-center.md): articles are a table staff read and write under row
    // level security (publishing is the database's check); the ticket's suggestions, the
    // preview and the history are staff operations.
    ticketArticles: (ticketId) => answer(client.rpc('support_ticket_articles', { ticket_id: ticketId })),
    articles: () => answer(client.from('help_articles')
      .select('id,slug,locale,title,category,status,body,updated_at,published_at')
      .order('category').order('slug').order('locale')),
    helpLocales: () => answer(client.from('help_locales').select('code,label,is_default').order('position')),
    saveArticle: (id, fields) => answer(id
      ? client.from('help_articles').update(fields).eq('id', id).select('id,status')
      : client.from('help_articles').insert(fields).select('id,status')),
    renderArticle: (body) => answer(client.rpc('support_render_article', { body })),
    articleVersions: (id) => answer(client.from('help_article_versions')
      .select('version,title,status,saved_by,saved_at').eq('article_id', id).order('version', { ascending: false })),
    // A link valid ten minutes that downloads the file; Storage signs only what the caller may read.
    // Bulk actions and presence (docs/bulk-and-collisions.md): a change or a macro on many
    // tickets (a job beyond 50, whose progress bulkJob reads), and the ticket page's heartbeat.
    bulkUpdate: (body) => answer(client.rpc('support_bulk_update', body)),
    bulkJob: (jobId) => answer(client.rpc('support_bulk_job', { job_id: jobId })),
    presence: (body) => answer(client.rpc('support_presence', body)),
    signedUrl: (bucket, path) => answer(client.storage.from(bucket).createSignedUrl(path, 600, { download: true })),
  };
}
