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

export function createApi(client) {
  return {
    queue: (params) => answer(client.rpc('support_queue', defined(params))),
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
    // Auto-triage (docs/triage.md): a ticket's suggestions and look-alikes, a decision on one
    // suggestion (feedback's or a ticket's), linking a report to its problem, the report.
    suggestions: (ticketId) => answer(client.rpc('support_suggestions', { ticket_id: ticketId })),
    similarTickets: (ticketId) => answer(client.rpc('support_similar_tickets', { ticket_id: ticketId })),
    decideSuggestion: (body) => answer(client.rpc('support_decide_suggestion', body)),
    linkProblem: (body) => answer(client.rpc('support_link_problem', body)),
    triageReport: (params) => answer(client.rpc('support_triage_report', params)),
    // Admins only: a page of the audit log, with the audited tables.
    auditLog: (params) => answer(client.rpc('support_audit_log', defined(params))),
    // A link valid ten minutes that downloads the file; Storage signs only what the caller may read.
    signedUrl: (bucket, path) => answer(client.storage.from(bucket).createSignedUrl(path, 600, { download: true })),
  };
}
