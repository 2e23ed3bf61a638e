import type { VmspliceFact } from '../src/analysis/facts.js';
import type { Rule } from '../src/rule.js';

export const uncheckedResult: Rule = {
  id: 'unchecked-result',
  meta: {
    title: 'Unchecked vmsplice result',
    level: 'warning',
    securitySeverity: 3.1,
    precision: 'high',
    tags: ['security', 'correctness', 'external/cwe/cwe-252'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports vmsplice() calls whose result is discarded, stored and never read, or only tested for failure with no ' +
      'loop that retries or advances. vmsplice queues fewer bytes than asked even when it blocks, so code that ignores ' +
      'the count loses or duplicates data, and code that ignores errors misses EAGAIN, EPIPE or a seccomp filter.',
    why: [
      'vmsplice(2) waits for pipe space once, then adds pages until the pipe is full and returns the partial count ' +
        '(fs/splice.c; kept by the 2026 rewrite). Every page of the iovec takes one pipe slot, so small or unaligned ' +
        'segments fill the 16 default slots early. The FizzBuzz pipe benchmark notes "vmsplice can do a short write ' +
        'sometimes, so it needs to be called in a loop".',
      '',
      'Errors matter too: SPLICE_F_NONBLOCK gives EAGAIN on a full pipe, a pipe without readers gives EPIPE, and ' +
        'container runtimes\' default seccomp profiles have blocked vmsplice since 2021 (EPERM), where libfuse and ' +
        'libkcapi fall back to writev().',
    ].join('\n'),
    example: [
      'struct iovec v[2] = { { a, na }, { b, nb } };',
      'vmsplice(p[1], v, 2, SPLICE_F_NONBLOCK);  /* unchecked-result */',
      'splice(p[0], NULL, out, NULL, na + nb, 0);',
    ].join('\n'),
    useInstead: [
      'Loop until everything is queued, advancing the iovec by the count returned, and handle errors:',
      '',
      '```c',
      'while (cnt > 0) {',
      '    ssize_t r = vmsplice(wfd, iov, cnt, 0);',
      '    if (r < 0) {',
      '        if (errno == EINTR) continue;',
      '        return -1;  /* caller falls back to writev() */',
      '    }',
      '    while (cnt > 0 && (size_t)r >= iov->iov_len) { r -= iov->iov_len; iov++; cnt--; }',
      '    if (cnt > 0) { iov->iov_base = (char *)iov->iov_base + r; iov->iov_len -= r; }',
      '}',
      '```',
      '',
      'Comparing the result with the full length and treating a difference as an error is also fine.',
    ].join('\n'),
    limits: [
      '- The count is followed by a dataflow over the function\'s IR: through copies, running totals (`done += r`) and ' +
        'remainders (`left -= r`), across loop iterations. It counts as checked when it is compared with anything but 0 ' +
        'or -1 (directly, or as a total or remainder, also after the loop), passed to a function other than a logger, ' +
        'stored where the caller reads it, or used to advance both `iov_base` and `iov_len` of an iovec sent again. A ' +
        'result returned to the caller is judged at the caller (wrappers and macros of the project).',
      '- Reported: discarded (not when cast to `(void)`, the idiom for a deliberate discard), stored and never read, only tested for failure, only added ' +
        'to a counter nobody compares, only used in arithmetic, given to an upper-case macro whose definition was not ' +
        'analysed, `iov_len` shortened while `iov_base` stays, `iov_base` advanced before any test for -1.',
      '- A count given to a function, or to a macro the project defines (its header is read for that), counts as ' +
        'handed on and checked: macro bodies are not expanded into the dataflow yet.',
      '- A single segment whose length folds to at most one byte cannot be short: an error test is enough.',
      '- `&&`, `||` and `?:` are read without short-circuit paths; whether EAGAIN, EINTR and EPIPE are handled is not checked.',
      '- Read-direction calls (on the read end of a pipe made in the file) are reported only when the result is discarded: ' +
        'they copy like read().',
    ].join('\n'),
    fixes:
      'None: a discarded result is not replaced automatically, since what to do on a short write or an error (retry the rest, fail, log) depends on the program.',
    references: [
      { title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' },
      { title: 'pipes-speed-test (FizzBuzz)', url: 'https://github.com/bitonic/pipes-speed-test' },
    ],
  },
  check(facts, report) {
    for (const fact of facts.vmsplice) {
      const r = fact.result;
      if (r.use === 'checked' || fact.destination.notAPipe) continue;
      // A read-direction call copies out of the pipe like read(): a short count there loses nothing queued, but a dropped count still hides errors.
      if (fact.lifetime.direction === 'read' && r.use !== 'discarded') continue;
      const outer = fact.hops.find((h) => h.at.frag === null && fact.location.region.startLine === r.location.region.startLine);
      const via = outer && outer.kind !== 'direct' && outer.kind !== 'syscall' ? `'${outer.name}()', which returns the result of vmsplice(),` : 'vmsplice()';
      const subject = `The result of ${via}`;
      const location = r.location.region.startLine === fact.location.region.startLine ? fact.location : r.location;
      // `(void)call()` is the C idiom for a deliberate discard (what -Wunused-result asks for): the author decided.
      if (r.use === 'discarded' && r.deliberate) continue;
      report({ message: messageFor(r, subject), location });
    }
  },
};

const COMPARE = 'Compare it with the length asked, and queue the rest again after a short write.';

function messageFor(r: VmspliceFact['result'], subject: string): string {
  switch (r.use) {
    case 'discarded':
      return `${subject} is discarded, so a short write or an error goes unnoticed. ${COMPARE}`;
    case 'unread':
      return `${subject} is stored in '${r.variable}' but never read, so a short write or an error goes unnoticed. ${COMPARE}`;
    case 'head-resent':
      return `${subject} shortens iov_len but iov_base is never advanced, so after a short write the head of the buffer is sent again. Advance iov_base by the same count.`;
    case 'unguarded-advance':
      return `${subject} advances iov_base before any test for -1, so an error moves the iovec backwards. Test for -1 before using the count.`;
    default:
      break;
  }
  switch (r.detail?.why) {
    case 'counter':
      return `${subject} is added to a counter that is never compared with the total, so a short write (fewer bytes queued than asked) goes unnoticed. Compare the counter with the total, and queue the rest again.`;
    case 'arithmetic':
      return `${subject} is only used in arithmetic, never compared with the length asked, so a short write or an error goes unnoticed. ${COMPARE}`;
    case 'opaque-macro':
      return `${subject} goes into '${r.detail.macro}()', a macro whose definition was not analysed, and is at most checked for errors; nothing shows that a short write is handled. ${COMPARE}`;
    default:
      return `${subject} is only checked for errors, so a short write (fewer bytes queued than asked) goes unnoticed. ${COMPARE}`;
  }
}
