import { parseArgs } from 'node:util';
import { clientCredentialsToken, tokenEndpointOf } from '@o2o/auth';
import { loadDeadLettersCliConfig } from '../config/dead-letters-cli.config';

const usage = `npm run dead-letters -- <service-url> <command>
  list [--status pending|redriven|discarded] [--limit N]
  inspect <partition>/<offset>
  redrive (--all | <partition>/<offset> ...) --reason "why"
  discard <partition>/<offset> ... --reason "why"
The service's operator API (/admin/v1/dead-letters) with an operator token: OPERATOR_TOKEN, else
client credentials from AUTH_ISSUER (OPERATOR_CLIENT_ID, OPERATOR_CLIENT_SECRET; locally the demo
operator client).`;

function letterRefs(args: string[]): Array<{ partition: number; offset: string }> {
  return args.map((arg) => {
    const match = /^(\d+)\/(\d+)$/.exec(arg);
    if (!match?.[1] || !match[2]) throw new Error(`not a dead letter reference (partition/offset): ${arg}`);
    return { partition: Number(match[1]), offset: match[2] };
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      status: { type: 'string' },
      limit: { type: 'string' },
      reason: { type: 'string' },
      all: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const [serviceUrl, command, ...rest] = positionals;
  if (values.help || !serviceUrl || !command) {
    process.stdout.write(`${usage}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadDeadLettersCliConfig();
  const token =
    config.OPERATOR_TOKEN ??
    (await clientCredentialsToken(
      await tokenEndpointOf(config.AUTH_ISSUER),
      { clientId: config.OPERATOR_CLIENT_ID, clientSecret: config.OPERATOR_CLIENT_SECRET },
      ['dead-letters:read', 'dead-letters:write'],
    ));
  const base = `${serviceUrl.replace(/\/$/, '')}/admin/v1/dead-letters`;
  const call = async (path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  let answer: unknown;
  switch (command) {
    case 'list': {
      const query = new URLSearchParams();
      if (values.status) query.set('status', values.status);
      if (values.limit) query.set('limit', values.limit);
      answer = await call(query.size > 0 ? `?${query.toString()}` : '');
      break;
    }
    case 'inspect': {
      const [ref] = letterRefs(rest.slice(0, 1));
      if (!ref) throw new Error('inspect needs <partition>/<offset>');
      answer = await call(`/${ref.partition}/${ref.offset}`);
      break;
    }
    case 'redrive':
      if (!values.reason) throw new Error('redrive needs --reason');
      answer = await call(
        '/redrive',
        values.all ? { all: true, reason: values.reason } : { letters: letterRefs(rest), reason: values.reason },
      );
      break;
    case 'discard':
      if (!values.reason) throw new Error('discard needs --reason');
      answer = await call('/discard', { letters: letterRefs(rest), reason: values.reason });
      break;
    default:
      throw new Error(`unknown command ${command}\n${usage}`);
  }
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`dead-letters: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
