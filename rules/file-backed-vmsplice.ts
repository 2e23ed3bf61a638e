import type { MappingFact, MemoryFact } from '../src/analysis/facts.js';
import { innerCallRelated } from '../src/messages.js';
import type { Rule } from '../src/rule.js';
import type { RelatedLocation } from '../src/types.js';

/** The mapped descriptor, for messages. */
function descriptor(m: MappingFact): string {
  const fd = m.fd;
  if (fd.kind === 'file') return fd.path ? `of '${fd.path}'` : 'of a file opened with open()';
  if (fd.kind === 'parameter') return `of the descriptor parameter '${fd.name}'`;
  if (fd.kind === 'fifo') return 'of a FIFO';
  return 'of a file descriptor';
}

function sharing(m: MappingFact): string {
  return m.shared === true ? 'MAP_SHARED' : m.shared === false ? 'MAP_PRIVATE' : 'shared or private';
}

export const fileBackedVmsplice: Rule = {
  id: 'file-backed-vmsplice',
  meta: {
    title: 'vmsplice of file-backed memory',
    level: 'warning',
    securitySeverity: 5.5,
    precision: 'high',
    tags: ['security', 'correctness', 'external/cwe/cwe-362'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports write-direction vmsplice() calls whose iovec points into a mapping of a file (mmap() of a descriptor, ' +
      'without MAP_ANONYMOUS), shared or private. The pipe then holds the file\'s page-cache pages: any later write, ' +
      'truncation or hole punch of the file, by this program or another, changes what the pipe\'s reader gets. A ' +
      'mapping of a memfd the program made itself is reported as a note, as is a writable private mapping (its pages ' +
      'may already be private copies).',
    why: [
      'vmsplice maps, never copies: the pipe keeps references to the pages behind the iovec until the reader consumes ' +
        'them. For a file mapping those are page-cache pages, shared with every reader and writer of the file.',
      '',
      '- Anyone\'s `write()`, `ftruncate()` or `fallocate(FALLOC_FL_PUNCH_HOLE)` on the file before the pipe is drained ' +
        'changes or zeroes the bytes in flight. Untouched pages of a MAP_PRIVATE mapping are page-cache pages too.',
      '- Christoph Hellwig (2026): vmsplice "can incorrectly dirty file backed pages without telling the file system", ' +
        'with no known way to convert it to FOLL_PIN. Pedro Falcato\'s proposed `fs.splice_needs_write` sysctl would make ' +
        'vmsplice fail for memory backed by a file the caller cannot write.',
      '- Andy Lutomirski: for "a read-only mapping of a file … you can just splice() from the file directly".',
    ].join('\n'),
    example: [
      'int send_mapped(int fd, int p[2], size_t len)',
      '{',
      '    char *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);',
      '    if (m == MAP_FAILED)',
      '        return -1;',
      '    struct iovec v = { m, len };',
      '    return vmsplice(p[1], &v, 1, 0) == (ssize_t)len ? 0 : -1;  /* file-backed-vmsplice */',
      '}',
    ].join('\n'),
    useInstead: [
      'splice() from the file into the pipe (the kernel takes the page-cache pages itself, and `splice-source-mutated` ' +
        'covers writes to the file while they are queued), or copy the bytes into private anonymous memory first.',
      '',
      '```c',
      'loff_t off = 0;',
      'if (splice(fd, &off, p[1], NULL, len, 0) != (ssize_t)len)',
      '    return -1;',
      '```',
    ].join('\n'),
    limits: [
      '- The mapping must be visible: a pointer defined by mmap() in the function or file, a struct field assigned an ' +
        'mmap() result anywhere in the project, or a function of the project that returns one. Memory of unknown origin ' +
        'is not reported.',
      '- A mapping counts as anonymous when its flags name MAP_ANONYMOUS/MAP_ANON (also through the project\'s macros), ' +
        'its descriptor is negative, or the descriptor opens /dev/zero. Flags the analysis cannot read are judged by the ' +
        'descriptor: one made by open() is a file; one of unknown origin is not reported.',
      '- Notes, not warnings: a memfd_create() mapping (the program owns the file, but a write through another mapping ' +
        'or descriptor still shows), and a writable MAP_PRIVATE mapping, whose pages written before the call are ' +
        'private copies (whether every page was written is not checked).',
    ].join('\n'),
    fixes: 'None: splicing from the file or copying the data changes the I/O design.',
    references: [
      { title: 'Hellwig on vmsplice of file-backed pages (2026)', url: 'https://lore.kernel.org/all/agwFlBKvKytjURDO@infradead.org/' },
      { title: 'LWN: a sysctl to restrict splice of unwritable files', url: 'https://lwn.net/Articles/1075838/' },
    ],
  },
  check(facts, report) {
    for (const fact of facts.vmsplice) {
      if (fact.lifetime.direction !== 'write' || fact.destination.notAPipe) continue;
      // Memory named inside a wrapper is reported at the wrapper's own call, once.
      const bases = fact.memory.filter((m) => m.atSite || !fact.innerLocation);
      const pick = (backing: MappingFact['backing']): { base: MemoryFact; m: MappingFact } | null => {
        for (const base of bases) for (const m of base.mappings) if (m.backing === backing) return { base, m };
        return null;
      };
      const file = pick('file');
      const found = file ?? pick('memfd');
      if (!found) continue;
      const { base, m } = found;
      const related: RelatedLocation[] = [{ location: m.location, message: `The ${m.backing === 'memfd' ? 'memfd' : 'file'} is mapped here.` }];
      if (m.fdCreatedAt) related.push({ location: m.fdCreatedAt, message: 'The mapped descriptor is made here.' });
      related.push(...innerCallRelated(fact));
      const mapped = `mmap() on line ${m.location.region.startLine}`;
      if (m.backing === 'memfd') {
        report({
          message:
            `vmsplice() queues '${base.text}', which points into a mapping of a memfd this program made (${mapped}): the pipe ` +
            'references its pages, so a write to the memfd through any mapping or descriptor before the pipe is drained changes what the reader gets. ' +
            'Leave the memfd unchanged until the pipe is drained, or seal it against writes (F_SEAL_WRITE).',
          location: fact.location,
          related,
          level: 'note',
        });
        continue;
      }
      const privateWritable = m.shared === false && m.readOnly === false;
      report({
        message:
          `vmsplice() queues '${base.text}', which points into a ${sharing(m)} mapping ${descriptor(m)} (${mapped}): ` +
          `${privateWritable ? 'pages not written since the mapping was made are ' : 'the pipe gets '}the file's page-cache pages, so a write, truncation ` +
          'or hole punch of the file by anyone before the pipe is drained changes what the reader gets. Use splice() from the file, or copy into anonymous memory.',
        location: fact.location,
        related,
        ...(privateWritable ? { level: 'note' as const } : {}),
      });
    }
  },
};
