import type { ApiOperation, ServiceApi } from '@o2o/runtime';
import { answerSchema, outcomeSchema } from './gateway/customer.controller';
import { startSchema } from './privacy/privacy-requests.controller';
import { SESSION_COOKIE } from './session/cookies';

const session = [{ consoleSession: [] }];
const open: Array<Record<string, string[]>> = [];
const sessionErrors = {
  '401': 'No session, or an expired one.',
  '403': 'A write without the `x-o2o-console: 1` header, or a person whose scopes do not allow it.',
};
const writeHeader = {
  name: 'x-o2o-console',
  in: 'header',
  required: true,
  schema: { const: '1' },
  description: 'Every write of the console API carries it (CSRF).',
};

/** The console's own routes: the web app's files, the OpenID Connect login and the JSON API its screens call. */
const CONSOLE_OPERATIONS: ApiOperation[] = [
  {
    route: 'GET /',
    operationId: 'webApp',
    summary: 'The web app.',
    security: open,
    success: { description: 'index.html', media: 'text/html', schema: { type: 'string' } },
  },
  {
    route: 'GET /assets/:file',
    operationId: 'webAsset',
    summary: 'A file of the web app (scripts, styles).',
    security: open,
    success: { description: 'The file.', media: 'application/octet-stream', schema: { type: 'string' } },
    errors: { '404': 'No such file.' },
  },
  {
    route: 'GET /login',
    operationId: 'login',
    summary: 'Starts the OpenID Connect login: a redirect to the issuer.',
    security: open,
    parameters: [{ name: 'returnTo', in: 'query', required: false, schema: { type: 'string' } }],
    success: { status: 302, description: 'To the issuer.', empty: true },
  },
  {
    route: 'GET /callback',
    operationId: 'loginCallback',
    summary: "The issuer's answer: the session cookie is set and the browser sent back where it started.",
    security: open,
    success: { status: 302, description: 'Back to the app (or to /login when no login was pending).', empty: true },
  },
  {
    route: 'POST /logout',
    operationId: 'logout',
    summary: 'Ends the session.',
    security: session,
    success: { status: 303, description: 'To the app.', empty: true },
  },
  {
    route: 'GET /api/me',
    operationId: 'me',
    summary: 'Who is logged in and what they may do: the app shows the screens their scopes allow.',
    security: session,
    success: { description: 'The person, roles, scopes, session expiry and channel.' },
    errors: sessionErrors,
  },
  {
    route: 'GET /api/customers/lookup',
    operationId: 'lookupCustomer',
    summary: 'The customer screen by any identifier: what the five services know about the customer.',
    security: session,
    parameters: [
      { name: 'type', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'value', in: 'query', required: true, schema: { type: 'string' } },
    ],
    success: { description: 'The profile.' },
    errors: { '400': 'No type or value (`invalid_lookup`).', ...sessionErrors, '404': 'No customer has the identifier.' },
  },
  {
    route: 'GET /api/customers/:id',
    operationId: 'customerById',
    summary: 'The same screen by customer id (after a live update).',
    security: session,
    success: { description: 'The profile.' },
    errors: sessionErrors,
  },
  {
    route: 'POST /api/customers/:id/answers',
    operationId: 'recordAnswer',
    summary: "Records a customer's answer to a question, sent through ingestion as a `Question Answered` event.",
    security: session,
    parameters: [writeHeader],
    body: answerSchema,
    success: { description: 'Sent.' },
    errors: { '400': 'An invalid answer (`invalid_answer`, issues name each field).', ...sessionErrors },
  },
  {
    route: 'POST /api/customers/:id/decision',
    operationId: 'decideForCustomer',
    summary: "The agent makes the offer now: campaign-customization's next action for this contact (counts against the caps).",
    security: session,
    parameters: [writeHeader],
    success: { description: "campaign-customization's decision." },
    errors: { ...sessionErrors, '409': 'No identifier known for the customer (`no_identifier`): look them up first.' },
  },
  {
    route: 'POST /api/customers/:id/offer-outcomes',
    operationId: 'recordOfferOutcome',
    summary: 'Records an accepted or declined offer, sent through ingestion as an `Offer Accepted` / `Offer Declined` event.',
    security: session,
    parameters: [writeHeader],
    body: outcomeSchema,
    success: { description: 'Sent.' },
    errors: { '400': 'An invalid outcome (`invalid_outcome`, issues name each field).', ...sessionErrors },
  },
  {
    route: 'GET /api/customers/:id/live',
    operationId: 'customerLive',
    summary:
      'Server-sent events for one open customer screen: each change to the customer, and a heartbeat every 25 s (needs profiles:read).',
    security: session,
    success: { description: 'The event stream.', media: 'text/event-stream', schema: { type: 'string' } },
    errors: sessionErrors,
  },
  {
    route: 'GET /api/operations/lag',
    operationId: 'consumerLag',
    summary: 'Consumer lag per service group and topic, now (operators only).',
    security: session,
    success: { description: 'The lag.' },
    errors: sessionErrors,
  },
  {
    route: 'GET /api/operations/history',
    operationId: 'operationsHistory',
    summary: 'The last hour of samples: lag per group and events per second per stage (operators only).',
    security: session,
    success: { description: 'The samples.' },
    errors: sessionErrors,
  },
  {
    route: 'GET /api/operations/health',
    operationId: 'servicesHealth',
    summary: "Each service's readiness, as /health/ready on its management listener reports it.",
    security: session,
    success: { description: 'Each service: ready, status, details, latency.' },
    errors: sessionErrors,
  },
  {
    route: 'GET /api/segments/:id/members.csv',
    operationId: 'segmentMembersCsv',
    summary: 'Every member of a segment as CSV, read page by page from campaign-customization.',
    security: session,
    success: { description: 'customerId,segmentVersion lines.', media: 'text/csv', schema: { type: 'string' } },
    errors: sessionErrors,
  },
  {
    route: 'ALL /api/platform/:service/*',
    operationId: 'platformCall',
    summary:
      "A route of a platform service (campaign, identity, value, needs, ingestion) the console's screens call, with the person's own token; the service checks its scopes. Any route the console does not pass through is refused (403 `not_passed_through`). The service's answer is passed back as it is.",
    security: session,
    success: { description: "The service's answer." },
    errors: sessionErrors,
  },
  {
    route: 'GET /api/privacy/requests',
    operationId: 'privacyRequests',
    summary: 'The privacy requests started through the console, newest first, each with its status (from identity-resolution).',
    security: session,
    success: { description: 'The requests.' },
    errors: sessionErrors,
  },
  {
    route: 'POST /api/privacy/requests',
    operationId: 'startPrivacyRequest',
    summary: 'Starts an erasure or an export by any identifier; the identifier is typed twice.',
    security: session,
    parameters: [writeHeader],
    body: startSchema,
    success: { status: 202, description: 'Started: the request id, kind, who asked, when, and its status.' },
    errors: sessionErrors,
  },
  {
    route: 'GET /api/privacy/requests/:id',
    operationId: 'privacyRequestStatus',
    summary: "A privacy request's status (identity-resolution's answer).",
    security: session,
    success: { description: 'The status.' },
    errors: { '400': 'Not a request id.', ...sessionErrors },
  },
  {
    route: 'GET /api/privacy/requests/:id/export',
    operationId: 'privacyExportDownload',
    summary: "The export's document as a download (identity-resolution serves it once, then 410).",
    security: session,
    success: { description: 'The document.' },
    errors: { '400': 'Not a request id.', ...sessionErrors, '410': 'Served already.' },
  },
];

/** The console's HTTP API (besides the web app's files): session-cookie routes the screens call. */
export const CONSOLE_API: ServiceApi = {
  title: 'console: the web app, its login and the JSON API its screens call',
  version: '1.0.0',
  description: 'Every /api route takes the session cookie the login sets; writes also need the header `x-o2o-console: 1`.',
  errorCodes:
    'invalid_request, invalid_lookup, invalid_answer, invalid_outcome, unauthorized, forbidden, not_passed_through, not_found, no_identifier, gone',
  securitySchemes: {
    consoleSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The session the OpenID Connect login sets.' },
  },
  operations: CONSOLE_OPERATIONS,
};
