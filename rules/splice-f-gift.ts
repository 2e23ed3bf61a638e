import { SPLICE_FLAGS } from '../src/analysis/values.js';
import { flagRemoval } from '../src/fix.js';
import { flagRelated, passedPhrase } from '../src/messages.js';
import type { Rule } from '../src/rule.js';

const GIFT = SPLICE_FLAGS.SPLICE_F_GIFT;

export const spliceFGift: Rule = {
  id: 'splice-f-gift',
  meta: {
    title: 'SPLICE_F_GIFT used',
    level: 'warning',
    securitySeverity: 3.5,
    precision: 'high',
    tags: ['security', 'correctness', 'external/cwe/cwe-664'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports vmsplice() calls that are or may be passed SPLICE_F_GIFT. The flag promises the kernel that the ' +
      'gifted pages will never be modified again, keeps no copy of them, and almost never has any effect: a page can ' +
      'only be stolen when the caller already unmapped it and the pipe is spliced with SPLICE_F_MOVE into /dev/fuse.',
    why: [
      'The vmsplice(2) manual page says of SPLICE_F_GIFT: "The user pages are a gift to the kernel. The application may ' +
        'not modify this memory ever, otherwise the page cache and on-disk data may differ."',
      '',
      '- The flag does not freeze or copy the data: a reader of the pipe sees later writes to the buffer (a test on ' +
        'Linux 6.12 vmspliced "a" with SPLICE_F_GIFT, set the byte to "b", and read "b").',
      '- It buys nothing: `user_page_pipe_buf_try_steal()` needs the flag, but stealing succeeds only when the page ' +
        'has a reference count of one, i.e. the user already unmapped it, and the only in-tree stealer is FUSE with ' +
        'SPLICE_F_MOVE (fs/pipe.c, fs/fuse/dev.c). Konstantin Khlebnikov (2019): gifting "almost never works", and an ' +
        'unmapped anonymous page "could be spliced into file. Ouch".',
      '- Page alignment, once required for gifts, is no longer checked, so an unaligned gift succeeds and can never ' +
        'be stolen.',
      '- Removing the flag\'s kernel support is pending ("splice: remove PIPE_BUF_FLAG_GIFT", 2026).',
    ].join('\n'),
    example: [
      'void give(int wfd, char *page)  /* page: 4096-aligned */',
      '{',
      '    struct iovec v = { .iov_base = page, .iov_len = 4096 };',
      '    if (vmsplice(wfd, &v, 1, SPLICE_F_GIFT) != 4096)  /* splice-f-gift */',
      '        abort();',
      '}',
    ].join('\n'),
    useInstead: [
      'Drop the flag; it changes nothing for a pipe read by anything but FUSE. If the buffer must not change while ' +
        'queued, do not touch it until the pipe has been drained, or write() it (a copy).',
      '',
      '```c',
      'if (vmsplice(wfd, &v, 1, 0) != 4096)',
      '    abort();',
      '```',
      '',
      'The one honest use is gifting a private anonymous mapping and then unmapping it without touching it again; ' +
        'suppress the finding there with a reason.',
    ].join('\n'),
    limits: [
      '- Flags are evaluated within one file: names, literals, bit operators, ternaries (either branch), macros of ' +
        'the file (every `#if` branch is an alternative), local variables, globals and struct fields assigned in the ' +
        'file, and wrapper parameters resolved at each call of the wrapper. A value that comes from elsewhere (a ' +
        'function result, another file) is unknown and not reported.',
      '- "May" means some path or configuration sets the flag; the analysis does not judge which paths are feasible.',
      '- Read-direction calls (vmsplice on the read end of a pipe) are reported too, although the flag is ignored there.',
    ].join('\n'),
    fixes: [
      'Remove the flag: when SPLICE_F_GIFT is written in a `|` chain that is the flags argument of the reported call, ' +
        'or the initializer of a local variable used only as flags of such calls, the fix drops it and keeps the other ' +
        'flags (`SPLICE_F_GIFT | SPLICE_F_NONBLOCK` becomes `SPLICE_F_NONBLOCK`; a lone `SPLICE_F_GIFT` becomes `0`). No ' +
        'fix is offered when the flag comes from a macro, another file, a global, a conditional or arithmetic, or when ' +
        'the variable is used otherwise.',
    ].join(' '),
    references: [
      { title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' },
      { title: 'Khlebnikov on SPLICE_F_GIFT (2019)', url: 'https://lore.kernel.org/all/c8001e7c-8039-3efb-948b-482b88005660@yandex-team.ru/' },
    ],
  },
  check(facts, report) {
    for (const fact of facts.vmsplice) {
      // GIFT is a promise about memory given to a pipe; a read-direction call copies out of the pipe instead.
      if (!fact.flags || fact.lifetime.direction === 'read') continue;
      const d = fact.flags.decide(GIFT);
      if (d.state !== 'must' && d.state !== 'may') continue;
      report({
        message:
          `vmsplice() ${passedPhrase([d], ['SPLICE_F_GIFT'])}, a promise that the pages are never modified again; the ` +
          'kernel keeps no copy, so later writes reach the reader. Drop the flag, unless the buffer is unmapped right after the call.',
        location: d.location,
        related: flagRelated(fact, d, 'SPLICE_F_GIFT'),
        fixes: [flagRemoval(facts, d, 'SPLICE_F_GIFT')].filter((f) => f !== null),
      });
    }
  },
};
