import { innerCallRelated } from '../src/messages.js';
import type { Rule } from '../src/rule.js';

export const forkAfterVmsplice: Rule = {
  id: 'fork-after-vmsplice',
  meta: {
    title: 'fork while vmspliced pages are in flight',
    level: 'warning',
    securitySeverity: 5.3,
    precision: 'medium',
    tags: ['security', 'correctness', 'external/cwe/cwe-362'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports fork(), daemon() and clone() without CLONE_VM on a path from a write-direction vmsplice() to the point ' +
      'where the pipe is known to be drained, when the queued memory is private (stack, heap, static, private anonymous ' +
      'mapping) and not excluded from fork with MADV_DONTFORK or MADV_WIPEONFORK.',
    why: [
      'After fork() the queued pages are copy-on-write shared. Since the CVE-2020-29374 fixes ("COW can break either ' +
        'way", 17839856fd58) a later write by either process copies the page and the pipe keeps the pre-fork content, ' +
        'where without the fork the reader would have seen the write. Before Linux 5.8 the wrong process could see the ' +
        'other\'s writes through the pipe (Project Zero #2045). For hugetlb pages the kernel selftests still mark the ' +
        'vmsplice COW cases as expected failures (tools/testing/selftests/mm/cow.c). What the reader gets depends on ' +
        'the kernel, the page type and timing.',
    ].join('\n'),
    example: [
      'void publish(int p[2], size_t n)',
      '{',
      '    char *buf = malloc(n);',
      '    struct iovec v = { buf, n };',
      '    fill(buf, n);',
      '    if (vmsplice(p[1], &v, 1, 0) != (ssize_t)n)',
      '        abort();',
      '    pid_t pid = fork();  /* fork-after-vmsplice: buf COW-shared while queued */',
      '    if (pid == 0)',
      '        run_child();',
      '}',
    ].join('\n'),
    useInstead: [
      'Drain the pipe before forking, spawn with posix_spawn() or vfork() (which share the address space instead of ' +
        'copying it), or exclude the buffer from fork:',
      '',
      '```c',
      'madvise(buf, len, MADV_DONTFORK);  /* buf: page-aligned anonymous mapping */',
      '```',
    ].join('\n'),
    limits: [
      '- The fork must be in the function that queued the buffer (or, for buffers passed to a wrapper, its caller), on a ' +
        'path the analysis can follow; forks in other threads or other functions are not seen.',
      '- vfork() and posix_spawn() are not reported: the child borrows the parent\'s memory instead of copying it.',
      '- A vmsplice after a fork (in the child, or in the parent while the child may live) of memory that existed before ' +
        'the fork is reported at the vmsplice; the fork, or a function or macro of the project that forks, must be in the ' +
        'same function as the call. A fork wrapper defined in a file that never mentions vmsplice is read when its name says ' +
        'it forks (`fork`, `spawn` or `clone` in the name, or in the functions its macro calls); others are not seen.',
    ].join('\n'),
    fixes:
      'None: whether to wait, copy or spawn differently is a design decision the tool cannot make.',
    references: [
      { title: 'CVE-2020-29374', url: 'https://nvd.nist.gov/vuln/detail/CVE-2020-29374' },
      { title: 'Project Zero issue 2045', url: 'https://bugs.chromium.org/p/project-zero/issues/detail?id=2045' },
    ],
  },
  check(facts, report) {
    for (const fact of facts.vmsplice) {
      if (fact.lifetime.direction !== 'write') continue;
      for (const f of fact.lifetime.forks) {
        const line = f.queuedAt.region.startLine;
        report({
          message: `${f.callee}() runs while the pages of '${f.buffer}' queued by vmsplice() on line ${line} may still be in the pipe, so they become copy-on-write shared with the child. ` +
            'Drain the pipe before forking, spawn with posix_spawn() or vfork(), or mark the buffer MADV_DONTFORK.',
          location: f.location,
          related: [{ location: f.queuedAt, message: `'${f.buffer}' is queued here.` }],
        });
      }
      const before = fact.lifetime.forkedBefore;
      // A fork in a loop around the call is one defect, already reported at the fork.
      const same = (a: { location: { region: { startLine: number; startColumn: number } } }): boolean =>
        !!before && a.location.region.startLine === before.location.region.startLine && a.location.region.startColumn === before.location.region.startColumn;
      if (before && !fact.lifetime.forks.some(same)) {
        report({
          message:
            `vmsplice() queues memory that existed before ${before.callee}() on line ${before.location.region.startLine} copied the address space, ` +
            'so parent and child share its pages copy-on-write while they are queued and the reader gets whichever copy the kernel kept. ' +
            'Queue memory allocated after the fork, or write() the data.',
          location: fact.location,
          related: [{ location: before.location, message: `${before.callee}() copies the address space here.` }, ...innerCallRelated(fact)],
        });
      }
    }
  },
};
