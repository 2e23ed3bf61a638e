import { innerCallRelated } from '../src/messages.js';
import type { Rule } from '../src/rule.js';
import type { RelatedLocation } from '../src/types.js';

export const doubleBufferReliesOnReader: Rule = {
  id: 'double-buffer-relies-on-reader',
  meta: {
    title: 'Double-buffer safety relies on the reader',
    level: 'note',
    securitySeverity: 3.0,
    precision: 'high',
    tags: ['correctness', 'reliability', 'external/cwe/cwe-362'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports a vmsplice() whose buffer is refilled on the next loop iteration where buffer-modified-after-vmsplice ' +
      'stays silent only because the code double-buffers: two halves alternate and the pipe size fcntl() returned is ' +
      'checked to hold at most one half (safe point S4). A completed vmsplice of one half then proves the other half ' +
      'left the pipe, not that the reader is done with its pages.',
    why: [
      'Double buffering sized to the pipe (FizzBuzz and pipes-speed-test write to standard output this way) relies on ' +
        'the reader copying what it takes from the pipe:',
      '',
      '- Leaving the pipe is not the end of the page references. A reader that splices or tees the pipe onward, into ' +
        'another pipe or a socket, keeps referencing the pages, and the refill shows up there. David Howells (2019): "If ' +
        'the output of the pipe gets teed or spliced somewhere else, you still don\'t know when the vmspliced pages are ' +
        'finished with"; uutils/coreutils#7625 is that bug in `yes`.',
      '- Any holder of the pipe can raise its capacity with fcntl(F_SETPIPE_SZ), after which both halves fit in the ' +
        'pipe at once and the size check proves nothing (an inference from fcntl(2)).',
      '',
      'The note marks code that is correct only for a reader it does not control; it is not a defect when the reader is ' +
        'known to copy (`pv`, a terminal, a file).',
    ].join('\n'),
    example: [
      '#define HALF (64 * 1024)',
      'static char half[2][HALF];',
      '',
      'int emit(int out)',
      '{',
      '    int cap = fcntl(out, F_SETPIPE_SZ, HALF);',
      '    if (cap < 0 || cap > HALF)',
      '        return -1;',
      '    for (int i = 0;; i ^= 1) {',
      '        memset(half[i], \'y\', HALF);  /* the reader may still hold these pages */',
      '        struct iovec v = { half[i], HALF };',
      '        while (v.iov_len > 0) {',
      '            ssize_t r = vmsplice(out, &v, 1, 0);  /* double-buffer-relies-on-reader */',
      '            if (r < 0)',
      '                return -1;',
      '            v.iov_base = (char *)v.iov_base + r;',
      '            v.iov_len -= (size_t)r;',
      '        }',
      '    }',
      '}',
    ].join('\n'),
    useInstead: [
      'Where the reader is unknown, do not refill queued memory: build each chunk in a fresh private anonymous mapping ' +
        'and munmap() it after the vmsplice (the pipe keeps the pages, nobody can write them), or write() it (a copy). ' +
        'Where the reader is part of the program, drain the pipe in-process with a checked read() or a splice() into a ' +
        'file before refilling (safe point S1); the note then goes away.',
      '',
      '```c',
      'char *chunk = mmap(NULL, HALF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);',
      'memset(chunk, \'y\', HALF);',
      'struct iovec v = { chunk, HALF };',
      '/* ... vmsplice(out, &v, 1, 0) until all is queued ... */',
      'munmap(chunk, HALF);  /* the pipe keeps the pages; the next chunk is new memory */',
      '```',
      '',
      'If every reader is known to copy, suppress the note with that reason.',
    ].join('\n'),
    limits: [
      '- The rule reports exactly what buffer-modified-after-vmsplice leaves out because of S4, so it shares that ' +
        'rule\'s view of S4: an fcntl(F_SETPIPE_SZ or F_GETPIPE_SZ) whose result is compared, in the function that ' +
        'queues the buffer, makes every refill in that function count as double buffering. Whether the comparison is ' +
        'against the half size, and whether the fcntl is on the same pipe, is not checked.',
      '- Refills in code without such a check are reported by buffer-modified-after-vmsplice instead, and refills after ' +
        'a drain that copies (S1) by neither rule.',
    ].join('\n'),
    fixes: 'None: whether the reader can be trusted is a design decision the tool cannot make.',
    references: [
      { title: 'David Howells on onward splices (2019)', url: 'https://lore.kernel.org/all/25886.1572723272@warthog.procyon.org.uk/' },
      { title: 'uutils/coreutils#7625', url: 'https://github.com/uutils/coreutils/issues/7625' },
      { title: 'fcntl(2): F_SETPIPE_SZ', url: 'https://man7.org/linux/man-pages/man2/fcntl.2.html' },
    ],
  },
  check(facts, report) {
    for (const fact of facts.vmsplice) {
      const s4 = fact.lifetime.dischargedByS4;
      if (fact.lifetime.direction !== 'write' || !s4) continue;
      const refills = s4.events.filter((e) => e.kind !== 'fork');
      if (!refills.length) continue;
      const first = refills[0];
      const check = s4.check.region.startLine;
      const related: RelatedLocation[] = [
        ...refills.map((e) => ({ location: e.location, message: `'${e.buffer}' is refilled here while the reader may still reference the previous round's pages.` })),
        { location: s4.check, message: 'The pipe size is checked here, which proves only that the previous half left the pipe.' },
        ...innerCallRelated(fact),
      ];
      report({
        message:
          `The buffer '${first.buffer}' is refilled on line ${first.location.region.startLine} while the previous round may still be referenced: ` +
          `the pipe-size check on line ${check} proves that the other half left the pipe, not that the reader is done with its pages ` +
          '(a reader that splices or tees onward, or raises the pipe size, sees the refill). ' +
          'Drain the pipe in-process before refilling, or queue each chunk from fresh memory (mmap, munmap after the call) or with write().',
        location: fact.location,
        related,
      });
    }
  },
};
