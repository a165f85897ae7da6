// The test LDAP server of ldap-server.ts in a process of its own, holding `count`
// trustedDomain objects: started by startLdapServerProcess. Encoding and paging 100,000
// entries is work for an event loop too, and in the test's own process it would be counted
// against the agent's (issue 15: the event loop delay of a run is the agent's alone).
// Talks to its parent over the IPC channel: the port once it listens, each search base, and
// `served` when the last page of trust objects is written; exits when the parent disconnects.

import { startLdapServer, trustedDomainEntry, type WorkerMessage } from './ldap-server.js';

const [baseDn = '', count = '0'] = process.argv.slice(2);
const send = (message: WorkerMessage): void => {
  process.send?.(message);
};
const server = await startLdapServer({
  baseDn,
  trusts: Array.from({ length: Number(count) }, (_, index) => trustedDomainEntry(baseDn, index)),
  onSearch: (base) => {
    send({ search: base });
  },
  onTrustsServed: () => {
    send({ served: true });
  },
});
process.once('disconnect', () => {
  void server.close();
});
send({ port: server.port });
