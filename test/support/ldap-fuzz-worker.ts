// The LDAP part of the socket fuzz test, in a process of its own: ldapts 8 can die on a reply
// (a V8 fatal error no handler catches), which would take the whole test runner with it.
// Runs the ldap family FUZZ_EXCHANGES times against a fuzzing LDAP server on loopback and
// prints the counts; exits 0 when every run came back.

import { Runner } from '../../agent/run/runner.js';
import { configFrom, planOf } from './config.js';
import { quietLog } from './context.js';
import { FUZZ_EXCHANGES, fuzzReply, ldapValid, replies } from './fuzz.js';
import { tcpServer } from './servers.js';

const TIMEOUT_MS = 150;
let exchanges = 0;
const next = replies(13);
const server = await tcpServer((socket, chunk) => {
  const valid = ldapValid(chunk);
  if (valid === undefined) return;
  exchanges++;
  const reply = fuzzReply(next(), valid, 70_000, true);
  if (process.env['FUZZ_TRACE'] !== undefined && reply.kind === 'bytes')
    process.stderr.write(`reply ${exchanges}: ${reply.bytes.toString('hex').slice(0, 200)}\n`);
  if (reply.kind === 'close') socket.destroy();
  else if (reply.kind === 'bytes') socket.write(reply.bytes);
});
const config = configFrom(
  `timeout: ${TIMEOUT_MS}ms\ndomains:\n  wingtip.test:\n    ldap: { url: 'ldap://127.0.0.1:${server.port}', bind_dn: probe@wingtip.test, password_env: PW, starttls: false, allow_plain_bind: true }\ntrusts: [{ between: [tailspin.test, wingtip.test], type: forest }]\n`,
  { readFile: () => '', env: { PW: 'fuzz-password' } },
);
const plan = planOf(config);
const runner = new Runner(quietLog, 64);
let runs = 0;
let familyErrors = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (runs < FUZZ_EXCHANGES) {
      runs++;
      const run = await runner.runFamily('ldap', plan, new AbortController().signal);
      if (run.findings.some((item) => item.check === 'ldap.probe_error')) familyErrors++;
    }
  }),
);
await server.close();
console.log(
  `# LDAP (ldapts bind and search): ${runs} runs, ${exchanges} exchanges, ${familyErrors} ended in ldap.probe_error`,
);
process.exit(familyErrors === 0 ? 0 : 1);
