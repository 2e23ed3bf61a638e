import type { ConsumerFact } from '../src/analysis/facts.js';
import { innerCallRelated } from '../src/messages.js';
import type { Rule } from '../src/rule.js';
import type { RelatedLocation } from '../src/types.js';

const SINKS = ['netlink', 'file', 'dev-null', 'af-alg', 'read'];

export const nonNetlinkDestination: Rule = {
  id: 'non-netlink-destination',
  meta: {
    title: 'vmsplice to a consumer that keeps page references',
    level: 'warning',
    securitySeverity: 5.9,
    precision: 'medium',
    tags: ['security', 'correctness', 'external/cwe/cwe-362'],
    enabledByDefault: true,
  },
  options: {
    safeSinks: {
      type: 'string[]',
      default: SINKS,
      values: SINKS,
      description:
        'Consumers taken to copy the data during the consuming call. The strict reading of the 2019 discussion is ' +
        '["netlink"]: only netlink is known to copy before returning.',
    },
    reportUnknown: {
      type: 'boolean',
      default: false,
      description: 'Also report calls whose pipe is read by something unknown (a parameter, a descriptor from elsewhere).',
    },
  },
  docs: {
    summary:
      'Reports write-direction vmsplice() calls whose pipe is consumed by something that may keep references to the ' +
      'pages after the consuming call returns (a TCP, UDP or UNIX socket, another pipe or tee, another process reading ' +
      'standard output or an inherited pipe), when the buffer changes or dies afterwards. For such consumers no point ' +
      'in the program proves the data was used, so no reuse of the buffer is safe.',
    why: [
      'vmsplice only accepts pipes; what matters is the pipe\'s final consumer. Netlink copies the data into its own ' +
        'skb inside the splice call, which is why Andy Lutomirski judged one vmsplice "probably okay" in 2019. TCP, UDP ' +
        'and UNIX sockets keep the pages as socket-buffer fragments (SKBFL_SHARED_FRAG: "at least one fragment might ' +
        'be overwritten (as in vmsplice(), sendfile() ...)"), and TCP retransmissions re-read them; another pipe or ' +
        'tee extends the lifetime indefinitely (David Howells: "If the output of the pipe gets teed or spliced ' +
        'somewhere else, you still don\'t know when the vmspliced pages are finished with"). uutils/coreutils#7625: ' +
        'another program spliced `yes`\'s pipe onward, `yes` freed its buffer, the data was corrupted.',
    ].join('\n'),
    example: [
      'int send_frame(const struct sockaddr_in *peer, char *frame, size_t n)  /* frame: the caller reuses it */',
      '{',
      '    int p[2], tcp = socket(AF_INET, SOCK_STREAM, 0);',
      '    if (tcp < 0 || connect(tcp, (const struct sockaddr *)peer, sizeof *peer) < 0 || pipe(p) < 0) return -1;',
      '    struct iovec v = { frame, n };',
      '    if (vmsplice(p[1], &v, 1, 0) != (ssize_t)n) return -1;  /* non-netlink-destination: TCP keeps the pages */',
      '    return splice(p[0], NULL, tcp, NULL, n, SPLICE_F_MORE) == (ssize_t)n ? 0 : -1;',
      '}',
    ].join('\n'),
    useInstead: [
      'Send with write()/send() (a copy), or keep each buffer immutable until exit (build it in a fresh mmap() and never ' +
        'write it again). MSG_ZEROCOPY with its completion notifications is the socket API that tells when pages are ' +
        'released.',
    ].join('\n'),
    limits: [
      '- Consumers are found in the same file: splice() or tee() from the pipe\'s read end, read(), dup2() onto ' +
        'standard input or output, fork()/exec() in the function that made the pipe; vmsplice to standard output counts ' +
        'as another process reading.',
      '- The rule needs only that the memory may change, not a change the analysis saw: memory of a caller (a parameter), ' +
        'memory whose origin is not in view, and memory that changes or dies after the call count. Memory allocated in ' +
        'the analysed code and afterwards only read, unmapped or kept until exit is not reported.',
      '- AF_ALG operation sockets count as copying only when the result is read back in the file (kernels before 7.1 ' +
        'hold the pages until then), or always with `--kernel 7.1` or later (config key `kernel`), since 7.1 copies. ' +
        '/dev/fuse is not reported.',
      '- A pipe array that arrives as a parameter (`int p[2]`) is not bound to the callers\' pipes yet: its consumers ' +
        'are unknown (reported only with `reportUnknown`). A single pipe end parameter is bound when every caller passes ' +
        'the same end of the same pipe.',
      '- Options: `safeSinks` (default all of netlink, file, dev-null, af-alg, read; strict: ["netlink"]) and ' +
        '`reportUnknown` (default false).',
    ].join('\n'),
    fixes:
      'None: choosing another transport or a copy is a design decision the tool cannot make.',
    references: [
      { title: 'Lutomirski on the OpenSSL vmsplice (2019)', url: 'https://lore.kernel.org/all/CALCETrWZjW88OY2mh7v8cUU_6XTSJTkQhAfNbSC17AdhEWwVAA@mail.gmail.com/' },
      { title: 'Howells on onward splices (2019)', url: 'https://lore.kernel.org/all/25886.1572723272@warthog.procyon.org.uk/' },
      { title: 'uutils/coreutils#7625', url: 'https://github.com/uutils/coreutils/issues/7625' },
    ],
  },
  check(facts, report, options) {
    const safe = new Set(options.safeSinks as string[]);
    const reportUnknown = options.reportUnknown as boolean;
    for (const fact of facts.vmsplice) {
      const d = fact.destination;
      if (fact.lifetime.direction !== 'write' || d.notAPipe) continue;
      // It is the destination that matters; the memory needs only to be able to change, not a change this analysis saw.
      const change = fact.lifetime.mutable;
      if (!change) continue;
      let culprit: ConsumerFact | { what: string; location: null; createdAt: null } | undefined;
      if (d.fd.kind === 'std' && d.fd.n !== 0) culprit = { what: 'standard output, read by another process', location: null, createdAt: null };
      else if (d.fd.kind === 'fifo') culprit = { what: 'a named FIFO, read by another process', location: null, createdAt: null };
      else if (d.localPipe) {
        culprit =
          d.consumers.find((c) => c.class === 'reference' || c.class === 'deferred' && c.what !== '/dev/fuse') ??
          d.consumers.find((c) => c.class === 'copy' && c.sink !== null && !safe.has(c.sink)) ??
          (reportUnknown ? d.consumers.find((c) => c.class === 'unknown') : undefined);
        if (!culprit && reportUnknown && d.consumers.length === 0) culprit = { what: 'no consumer found in this file', location: null, createdAt: null };
      } else if (reportUnknown) culprit = { what: 'a pipe of unknown origin', location: null, createdAt: null };
      if (!culprit) continue;
      const related: RelatedLocation[] = [];
      if (culprit.location) related.push({ location: culprit.location, message: `The pipe is drained into ${culprit.what} here.` });
      if (culprit.createdAt) related.push({ location: culprit.createdAt, message: 'The consumer is made here.' });
      related.push(...innerCallRelated(fact));
      if (change.location) related.push({ location: change.location, message: 'The queued memory changes here while the pages may still be referenced.' });
      const why = 'class' in culprit && culprit.class === 'copy' ? 'which the safeSinks option does not accept as copying the data' : 'which may keep referencing them after the consuming call returns';
      report({
        message: `The pages vmsplice() queues reach ${culprit.what}, ${why}, and ${change.why}. Queue a copy (write()) or memory that never changes.`,
        location: fact.location,
        related,
      });
    }
  },
};
