// Text a server chooses, on its way to the report, the metrics, the status page and the log:
// an LDAP server that echoes the bind password back, inside a megabyte of terminal escapes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger, lineFormat } from '../../../agent/log.js';
import { Exporter } from '../../../agent/outputs/metrics.js';
import { buildReport, renderText, reportJson } from '../../../agent/outputs/report.js';
import { renderStatusPage } from '../../../agent/outputs/status-page.js';
import { boundFindings, Runner, type FamilyRun } from '../../../agent/run/runner.js';
import { finding, type Finding, type Status } from '../../../probes/model/finding.js';
import { cleanData, cleanText, MAX_SERVER_TEXT } from '../../../probes/model/server-text.js';
import { configFrom, planOf } from '../../support/config.js';
import { quietLog } from '../../support/context.js';
import { mulberry32 } from '../../support/random.js';
import { tcpServer, type Running } from '../../support/servers.js';

const PASSWORD = 'Tr0ub4dor&3-bind';

// ---- BER, as little as an LDAP BindResponse needs ----

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.of(size);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.of(tag), length(content.length), content]);
}

/** The simple-bind password inside a BindRequest: the [0] primitive after the name. */
function boundPassword(request: Buffer): string {
  const at = request.indexOf(Buffer.from(PASSWORD));
  return at < 0 ? '' : request.subarray(at, at + PASSWORD.length).toString();
}

/** A BindResponse (resultCode 53, unwillingToPerform) for message `id` whose diagnosticMessage is `text`. */
function bindRefused(id: number, text: string): Buffer {
  const body = Buffer.concat([tlv(0x0a, Buffer.of(53)), tlv(0x04, Buffer.alloc(0)), tlv(0x04, Buffer.from(text))]);
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.of(id)), tlv(0x61, body)]));
}

/** A megabyte of colour changes, cursor moves and fake log lines, with the password in the middle. */
function hostileText(echo: string): string {
  const noise = '\x1b[31mERROR\x1b[0m\r\n2026-01-01 info fake line\x1b]0;title\x07\x1b[2J\x00\u202e';
  const half = noise.repeat(Math.ceil(500_000 / noise.length));
  return `bad password ${echo} (or ${echo.split('').join('\x00')})${half}${echo}${half}`;
}

/** An LDAP server that refuses every bind with the password it was sent, in a 1 MB message. */
function echoingLdapServer(): Promise<Running> {
  return tcpServer((socket, chunk) => {
    // Message id at byte 4 for the short forms ldapts sends (30 LL 02 01 id ...), else 1.
    const id = chunk[2] === 0x02 ? (chunk[4] ?? 1) : 1;
    socket.write(bindRefused(id, hostileText(boundPassword(chunk))));
  });
}

function configFor(port: number) {
  return configFrom(
    `timeout: 3s
domains:
  wingtip.test:
    ldap: { url: 'ldap://127.0.0.1:${port}', bind_dn: probe@wingtip.test, password_env: PW, starttls: false, allow_plain_bind: true }
trusts: [{ between: [tailspin.test, wingtip.test], type: forest }]
`,
    { readFile: () => '', env: { PW: PASSWORD } },
  );
}

function assertClean(text: string, where: string): void {
  assert.ok(!text.includes(PASSWORD), `${where} holds the password`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(text.replace(/\n/g, ''), /[\x00-\x08\x0b-\x1f\x7f\u202e]/, `${where} holds control characters`);
}

describe('server text reaching the outputs', () => {
  let server: Running;
  let run: FamilyRun;
  let config: ReturnType<typeof configFor>;

  before(async () => {
    server = await echoingLdapServer();
    config = configFor(server.port);
    run = await new Runner(quietLog, 8).runFamily('ldap', planOf(config), new AbortController().signal);
  });
  after(async () => {
    await server.close();
  });

  it('the server did send the password and the escapes (the test is real)', () => {
    const bind = run.findings.find((item) => item.check === 'ldap.bind');
    assert.ok(bind, run.findings.map((item) => item.check).join(', '));
    assert.match(bind.message, /bad password <redacted> \(or <redacted>\)/);
  });

  it('no finding holds the password, a control character, or more than the bound of text', () => {
    for (const item of run.findings) {
      assertClean(`${item.message} ${item.remediation} ${JSON.stringify(item.observed)}`, item.check);
      assert.ok(item.message.length <= MAX_SERVER_TEXT + 40, `${item.check}: ${item.message.length} characters`);
    }
  });

  it('nor the report (text and JSON), the metrics, or the status page', async () => {
    const report = buildReport([run], new Date(), 1);
    assertClean(renderText(report, config, ['ldap'], { colour: false, verbose: true }), 'the text report');
    assertClean(JSON.stringify(reportJson(report)), 'the JSON report');
    const page = renderStatusPage({
      version: 'test',
      now: new Date(),
      families: ['ldap'],
      runs: [run],
      running: [],
      config,
    });
    assertClean(page, 'the status page');
    const exporter = new Exporter({ lastRuns: () => [run] }, { vantage: 'test' });
    assertClean(await exporter.metrics(), 'the metrics');
  });
});

describe('the log formatter', () => {
  it('cleans the message and every field of a line, text and JSON', () => {
    configFor(1); // loads the password, as the agent does at start
    createLogger({ level: 'error', json: false }); // registers the level colours the text format uses
    for (const json of [false, true]) {
      const info = lineFormat(json).transform({
        [Symbol.for('level')]: 'warn',
        level: 'warn',
        message: `bind failed: ${hostileText(PASSWORD)}`,
        detail: { reason: `\x1b[1m${PASSWORD}` },
      });
      assert.ok(info !== false);
      const line = String((info as unknown as Record<symbol, unknown>)[Symbol.for('message')]);
      // On a terminal the level is coloured by the agent itself; what follows it is the server's.
      assertClean(line.slice(line.indexOf('bind failed')), json ? 'a JSON log line' : 'a text log line');
      assert.match(line, /bind failed: bad password <redacted> \(or <redacted>\)ERROR 2026-01-01 info fake line/);
      assert.ok(line.length < 2 * MAX_SERVER_TEXT + 200, `${line.length} characters`);
    }
  });
});

describe('cleanText', () => {
  it('drops escape sequences whole, controls, and bidi overrides; line breaks become spaces', () => {
    assert.equal(cleanText('\x1b[31mred\x1b[0m\r\nnext \x00\u202eline', []), 'red next line');
  });
  it('finds a secret split by controls, and bounds the length after scrubbing', () => {
    assert.equal(cleanText('pw=s\x00e\x1b[0mcret', ['secret']), 'pw=<redacted>');
    assert.equal(cleanText('x'.repeat(30), [], 10), 'xxxxxxxxxx... (20 more characters)');
  });
  it('a lone line separator (U+2028) becomes a space, and a secret with controls in it is found both ways', () => {
    assert.equal(cleanText('one\u2028two', []), 'one two');
    assert.equal(cleanText('a se\x1bcret and a secret', ['se\x1bcret']), 'a <redacted> and a <redacted>');
  });
});

describe('cleanData', () => {
  it('returns what needs no cleaning as it is, and cleans a copy of the rest, the input left alone', () => {
    const when = new Date(0);
    const clean = { message: 'fine', observed: { names: ['a', 'b'], when }, count: 3 };
    assert.equal(cleanData(clean, ['secret']), clean);
    const dirty = { message: 'fine', observed: { names: ['a', 'the secret\x1b[0m'], when }, count: 3 };
    const cleaned = cleanData(dirty, ['secret']);
    assert.deepEqual(cleaned, { message: 'fine', observed: { names: ['a', 'the <redacted>'], when }, count: 3 });
    assert.equal(dirty.observed.names[1], 'the secret\x1b[0m');
    assert.notEqual(cleaned.observed, dirty.observed);
    assert.equal(cleaned.observed.when, when);
  });
});

describe('findings per run', () => {
  const many = (count: number): Finding[] =>
    Array.from({ length: count }, (_, index) =>
      finding({
        check: 'port.tcp',
        status: index % 10 === 0 ? 'critical' : 'ok',
        domain: 'wingtip.test',
        target: { kind: 'port', host: `dc${index}`, port: 88, transport: 'tcp' },
        message: `m${index}`,
      }),
    );

  it('past limits.findings_per_run: the worst are kept, and one finding says which bound was hit', () => {
    const bounded = boundFindings('ports', many(1000), 50);
    assert.equal(bounded.length, 51);
    assert.equal(bounded.filter((item) => item.status === 'critical').length, 50);
    const last = bounded.at(-1);
    assert.equal(last?.check, 'run.limit');
    assert.equal(
      last.message,
      'limits.findings_per_run (50) reached: the ports run made 1000 findings, the worst of which were kept; only the first 50 were used',
    );
  });

  it('kept while they arrive: the same findings as sorting all of them worst first and cutting', () => {
    const random = mulberry32(15);
    const statuses: Status[] = ['ok', 'unknown', 'warning', 'critical'];
    for (const [count, max] of [
      [1000, 50],
      [1000, 999],
      [1000, 1000],
      [300, 1],
    ] as const) {
      const findings = many(count).map((item) => ({
        ...item,
        status: statuses[Math.floor(random() * 4)] ?? 'ok',
      }));
      const sorted = statuses.toReversed().flatMap((status) => findings.filter((item) => item.status === status));
      const bounded = boundFindings('ports', findings, max);
      if (count <= max) assert.deepEqual(bounded, findings);
      else {
        assert.deepEqual(bounded.slice(0, -1), sorted.slice(0, max));
        assert.equal(bounded.at(-1)?.observed['seen'], count);
      }
    }
  });

  it('a run.limit finding is never dropped for the bound of findings, nor counted in it', () => {
    const reached = finding({
      check: 'run.limit',
      status: 'warning',
      domain: 'wingtip.test',
      target: { kind: 'limit', limit: 'dcs_per_domain' },
      message: 'x',
    });
    const bounded = boundFindings('ports', [...many(100), reached], 100);
    assert.equal(bounded.length, 101);
    assert.equal(bounded.at(-1), reached);
  });

  it('a bound reached many times is one finding per domain', () => {
    const reached = finding({
      check: 'run.limit',
      status: 'warning',
      domain: 'wingtip.test',
      target: { kind: 'limit', limit: 'dcs_per_domain' },
      message: 'x',
    });
    assert.equal(boundFindings('ports', [reached, reached, { ...reached, domain: 'tailspin.test' }], 100).length, 2);
  });
});
