import { flowMiddle } from '../src/messages.js';
import type { Rule } from '../src/rule.js';
import type { RelatedLocation } from '../src/types.js';

const HOW = {
  descriptor: 'through the spliced descriptor',
  path: 'through another descriptor of the same path',
  mapping: 'through a MAP_SHARED mapping of the spliced file',
} as const;

export const spliceSourceMutated: Rule = {
  id: 'splice-source-mutated',
  meta: {
    title: 'splice source mutated before drain',
    level: 'warning',
    securitySeverity: 5.3,
    precision: 'medium',
    tags: ['security', 'correctness', 'external/cwe/cwe-362'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports a change to a file (write(), pwrite(), ftruncate(), truncate(), fallocate() punching, zeroing, ' +
      'collapsing or inserting a range, or a store through a MAP_SHARED mapping of it) after splice() moved part of ' +
      'it into a pipe, on a path where nothing has drained the pipe into a sink that copies. splice() from a file ' +
      'puts the file\'s page-cache pages in the pipe, not a copy, so the pipe\'s reader gets the changed bytes.',
    why: [
      'A splice() from a regular file into a pipe takes references to the page-cache pages (`filemap_splice_read`); ' +
        'it copies nothing. Until the reader has consumed them, any change to those bytes of the file shows in what it ' +
        'reads: Linus Torvalds, quoted on samba-technical (2023): "If you don\'t want copies, and the source file ' +
        'changes, then you see those changes". Matt Whitlock\'s reproducer shows a punched hole arriving as zeros ' +
        'at the other end of the pipe, and Samba met the same behaviour serving files over TCP (LWN 923237).',
      '',
      '- A reader in another process, or a TCP or UNIX socket the pipe is spliced into, keeps referencing the pages ' +
        'after the splice into it returns (TCP until the data is acknowledged), so draining into those is no end to ' +
        'the window.',
      '- Linus refused to make splice copy: "The \'stableness\' of the data is literally the *only* difference between ' +
        'vmsplice() and write()" (2023).',
    ].join('\n'),
    example: [
      'int send_patched(int fd, int p[2], int sock, size_t len, const char *patch, size_t plen)',
      '{',
      '    loff_t off = 0;',
      '    if (splice(fd, &off, p[1], NULL, len, 0) != (ssize_t)len)',
      '        return -1;',
      '    if (pwrite(fd, patch, plen, 0) != (ssize_t)plen)  /* splice-source-mutated */',
      '        return -1;',
      '    return splice(p[0], NULL, sock, NULL, len, 0) == (ssize_t)len ? 0 : -1;',
      '}',
    ].join('\n'),
    useInstead: [
      'Change the file only after the pipe has been drained into something that copies (a regular file, a netlink ' +
        'socket, a checked read() of everything queued), or read() the bytes into a buffer and send that copy. ' +
        'Opening the source with O_DIRECT also makes splice() copy.',
      '',
      '```c',
      'loff_t off = 0;',
      'if (splice(fd, &off, p[1], NULL, len, 0) != (ssize_t)len)',
      '    return -1;',
      'for (ssize_t done = 0; done < (ssize_t)len; ) {  /* the file sink copies */',
      '    ssize_t r = splice(p[0], NULL, out, NULL, len - done, 0);',
      '    if (r <= 0)',
      '        return -1;',
      '    done += r;',
      '}',
      'if (pwrite(fd, patch, plen, 0) != (ssize_t)plen)  /* the pipe holds no page of fd any more */',
      '    return -1;',
      '```',
    ].join('\n'),
    limits: [
      '- The change must be in the function that calls splice(), or in a function of the project it passes the ' +
        'descriptor to (two levels deep); changes made by other functions, threads or processes are not seen.',
      '- The same file is recognised through the same descriptor (also copies and dup()s of it), another open() of ' +
        'the same path as written (a string literal or the same variable), and MAP_SHARED mappings of either. Hard ' +
        'links and paths built at run time are not compared.',
      '- Byte ranges are compared when the splice offset (`&off` with a constant `off`) and length and the change\'s ' +
        'offset is constant (a change of unknown length, such as pwritev(), covers everything from its offset on); ' +
        'otherwise the change is taken to overlap. write() after a splice that ' +
        'advanced the same descriptor\'s position (off_in NULL) lands after the spliced bytes and is not reported, nor ' +
        'is a write through an O_APPEND descriptor; an lseek() back is not followed.',
      '- Sources opened with O_DIRECT (or given it by fcntl(F_SETFL) on every path to the splice), and /proc, /sys ' +
        'and /dev files, are copied by splice() and not reported. DAX files also copy but cannot be told apart.',
      '- Only a checked drain of the pipe in the splicing function into a regular file, netlink or a read() ends the ' +
        'window; closing the pipe does not (a reader may still hold it).',
      '- write() through a descriptor of unknown kind is not reported: it may be a socket the data came from.',
    ].join('\n'),
    fixes: 'None: when to change the file, or whether to copy instead, is a design decision the tool cannot make.',
    references: [
      { title: 'splice(2)', url: 'https://man7.org/linux/man-pages/man2/splice.2.html' },
      { title: 'LWN: Zero-copy I/O and the stability of data (Samba over TCP)', url: 'https://lwn.net/Articles/923237/' },
      { title: 'Matt Whitlock\'s punch-hole reproducer', url: 'https://lore.kernel.org/all/ec804f26-fa76-4fbe-9b1c-8fbbd829b735@mattwhitlock.name/' },
      { title: 'Linus Torvalds on data stability (2023)', url: 'https://lore.kernel.org/all/CAHk-=wiDwfyj0CCupT-oEToqsNLcbsTQdcgDupF=ZETUjJQJtQ@mail.gmail.com/' },
    ],
  },
  check(facts, report) {
    for (const f of facts.splicedFiles) {
      const line = f.splice.region.startLine;
      for (const c of f.changes) {
        const related: RelatedLocation[] = [{ location: f.splice, message: `splice() moves page-cache pages of '${f.source}' into the pipe here.` }];
        if (f.openedAt) related.push({ location: f.openedAt, message: `'${f.source}' is opened here.` });
        const kept = flowMiddle(c.steps);
        report({
          message:
            `${c.what} changes the file spliced into a pipe on line ${line} (${HOW[c.same]}) before the pipe is drained into a sink that copies: ` +
            'the pipe holds the file\'s page-cache pages, so its reader may get the changed bytes. ' +
            'Change the file only after the pipe is drained into a copying sink, or read() the bytes and send that copy.',
          location: c.location,
          related,
          flow: [
            { location: f.splice, message: `splice() queues page-cache pages of '${f.source}'.` },
            ...kept.map((location) => ({ location, message: 'Control reaches this statement.' })),
            { location: c.location, message: `${c.what} changes the spliced file.` },
          ],
        });
      }
    }
  },
};
