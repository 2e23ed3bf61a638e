import type { Rule } from '../src/rule.js';

export const notAPipe: Rule = {
  id: 'not-a-pipe',
  meta: {
    title: 'vmsplice on a descriptor that is not a pipe',
    level: 'error',
    precision: 'high',
    tags: ['correctness'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports vmsplice() calls on a file descriptor that provably is not a pipe: a regular file created by open(), a ' +
      'socket, an eventfd, a memfd, a negative constant, a notification pipe. vmsplice accepts only pipes, so such a ' +
      'call always fails with EBADF.',
    why: [
      'vmsplice(2): "EBADF fd either not valid, or doesn\'t refer to a pipe." The kernel\'s get_pipe_info() accepts only ' +
        'pipe and FIFO files and rejects notification (watch-queue) pipes. Code that vmsplices into something else ' +
        'usually assumed its output is a pipe and has no fallback: every call fails.',
    ].join('\n'),
    example: [
      'int fd = open("out.bin", O_WRONLY | O_CREAT | O_TRUNC, 0600);',
      'struct iovec v = { buf, n };',
      'vmsplice(fd, &v, 1, 0);  /* not-a-pipe: always EBADF */',
    ].join('\n'),
    useInstead: [
      'Write to files and sockets with write()/writev(), or vmsplice into a pipe and splice() the pipe into the file:',
      '',
      '```c',
      'int p[2];',
      'if (pipe2(p, O_CLOEXEC) == 0 && vmsplice(p[1], &v, 1, 0) == (ssize_t)n)',
      '    splice(p[0], NULL, fd, NULL, n, 0);',
      '```',
    ].join('\n'),
    limits: [
      '- Only descriptors whose origin is in the same file are judged: standard input and output, parameters and ' +
        'anything else of unknown origin are never reported.',
      '- open() without O_CREAT of a path outside /dev, /proc and /sys may open a FIFO, which vmsplice accepts: not reported. ' +
        'Paths made FIFOs with mkfifo() in the file are pipes.',
    ].join('\n'),
    fixes:
      'None: the right fd (or using write() instead) depends on the program.',
    references: [{ title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' }],
  },
  check(facts, report) {
    for (const fact of facts.vmsplice) {
      const what = fact.destination.notAPipe;
      if (!what) continue;
      const made = fact.destination.fdCreatedAt;
      const where = made && made.region.startLine !== fact.location.region.startLine ? ` (made on line ${made.region.startLine})` : '';
      report({
        message: `vmsplice() is called on ${what}${where}, which is not a pipe, so it always fails with EBADF. Pass the write end of a pipe, or use write().`,
        location: fact.location,
        related: made && where ? [{ location: made, message: 'The descriptor is made here.' }] : [],
      });
    }
  },
};
