import type { VmspliceFact } from '../src/analysis/facts.js';
import { innerCallRelated } from '../src/messages.js';
import type { Rule } from '../src/rule.js';
import type { RelatedLocation } from '../src/types.js';

/** How the read end is named in messages. */
function readEnd(fact: VmspliceFact): string {
  const fd = fact.destination.fd;
  if (fd.kind === 'pipe-end') return 'the read end of a pipe';
  if (fd.kind === 'std') return 'standard input';
  if (fd.kind === 'fifo') return 'a FIFO opened O_RDONLY';
  return 'a read end';
}

export const readDirectionMisuse: Rule = {
  id: 'read-direction-misuse',
  meta: {
    title: 'vmsplice read-direction misuse',
    level: 'error',
    precision: 'high',
    tags: ['correctness', 'external/cwe/cwe-628'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports vmsplice() calls on the read end of a pipe (p[0], standard input, a FIFO opened O_RDONLY) that are written ' +
      'as if they queued memory: the iovec points at read-only memory (a string literal, a const object, a PROT_READ ' +
      'mapping), or the result is used as the length of a splice() or tee() out of the same descriptor. On a read end ' +
      'vmsplice copies data out of the pipe into the iovec\'s memory.',
    why: [
      'The descriptor\'s open mode picks the direction, not the call: on a write end vmsplice maps user pages into the ' +
        'pipe, on a read end it copies the pipe\'s data into the user\'s buffers (vmsplice(2): "it actually just copies ' +
        'the data to user space"), writing into `iov_base` although the prototype takes a `const struct iovec *`.',
      '',
      '- Read-only memory as the destination fails with EFAULT, or on a writable mapping of constant data corrupts it.',
      '- Code that splices the returned count out of the same descriptor believes the bytes were queued; they were ' +
        'consumed instead, and the splice waits for data that never comes or moves other bytes.',
      '- The nix crate\'s safe wrapper got this wrong: it took read-only slices for both directions (nix-rust/nix#1647).',
    ].join('\n'),
    example: [
      'int send_ping(void)',
      '{',
      '    int p[2];',
      '    if (pipe(p) < 0)',
      '        return -1;',
      '    struct iovec v = { (void *)"ping\\n", 5 };',
      '    return vmsplice(p[0], &v, 1, 0) == 5 ? 0 : -1;  /* read-direction-misuse: p[0] is the read end */',
      '}',
    ].join('\n'),
    useInstead: [
      'To queue memory, vmsplice the write end (`p[1]`). To read from a pipe, use `read()`/`readv()` into writable ' +
        'memory; a read-direction vmsplice is only a copy, like readv().',
      '',
      '```c',
      'struct iovec v = { (void *)"ping\\n", 5 };',
      'if (vmsplice(p[1], &v, 1, 0) != 5)',
      '    return -1;',
      '```',
    ].join('\n'),
    limits: [
      '- The direction must be known: a pipe made with pipe()/pipe2() in the project, standard input, a FIFO made with ' +
        'mkfifo() and opened O_RDONLY, or a parameter every caller binds to one of these. O_RDWR FIFOs are the write ' +
        'direction; descriptors of unknown origin are never reported.',
      '- Read-only memory is recognised when it is a string literal, an object declared const, a pointer declared ' +
        '`const T *`, or a mapping made with PROT_READ and without PROT_WRITE, through local and global definitions ' +
        'and struct fields assigned in the project. Memory made read-only later with mprotect() is not seen.',
      '- "Bytes queued" is recognised only for a splice() or tee() in the same function whose length is the result ' +
        'and whose input is the same descriptor expression.',
    ].join('\n'),
    fixes: 'None: whether the code meant the write end or a read into writable memory is the author\'s choice.',
    references: [
      { title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' },
      { title: 'nix-rust/nix#1647', url: 'https://github.com/nix-rust/nix/issues/1647' },
    ],
  },
  check(facts, report) {
    for (const fact of facts.vmsplice) {
      if (fact.lifetime.direction !== 'read' || fact.destination.notAPipe) continue;
      const related: RelatedLocation[] = [];
      // Memory named inside a wrapper is reported at the wrapper's own call, once.
      const ro = fact.memory.find((m) => m.readOnly && (m.atSite || !fact.innerLocation));
      const drained = fact.drainedAsQueued;
      if (ro?.readOnly) {
        const { what, may } = ro.readOnly;
        related.push({ location: ro.readOnly.location, message: `The read-only memory (${what}) is made here.` });
        related.push(...innerCallRelated(fact));
        report({
          message:
            `vmsplice() on ${readEnd(fact)} copies data out of the pipe into the iovec, but '${ro.text}' ${may ? 'may point to' : 'is'} ${what}: ` +
            'the call fails with EFAULT or overwrites memory meant to stay constant. Queue data through the write end, or read into writable memory.',
          location: fact.location,
          related,
        });
      } else if (drained) {
        related.push({ location: drained, message: 'The result is spliced out of the same descriptor here.' });
        related.push(...innerCallRelated(fact));
        report({
          message:
            `vmsplice() on ${readEnd(fact)} copies data out of the pipe and queues nothing, but its result is used as the length ` +
            `of the splice on line ${drained.region.startLine} out of the same descriptor, as if that many bytes had been queued. Use the write end to queue memory.`,
          location: fact.location,
          related,
        });
      }
    }
  },
};
