import type { AlignmentFact } from '../src/analysis/facts.js';
import { SPLICE_FLAGS } from '../src/analysis/values.js';
import { innerCallRelated } from '../src/messages.js';
import type { Rule } from '../src/rule.js';

const GIFT = SPLICE_FLAGS.SPLICE_F_GIFT;
const PAGE_SIZES = ['4096', '16384', '65536'];

/** The first page size a region is provably not aligned to, or null. */
function misaligned(a: AlignmentFact, pageSizes: number[]): number | null {
  for (const page of pageSizes) {
    // An offset is known modulo the alignment its memory starts on, at most a page.
    const unit = a.kind === 'offset' ? Math.min(page, a.rootAlignment ?? page) : page;
    if (a.residues.every((r) => r % unit !== 0)) return page;
  }
  return null;
}

export const giftUnaligned: Rule = {
  id: 'gift-unaligned',
  meta: {
    title: 'SPLICE_F_GIFT with an unaligned region',
    level: 'note',
    precision: 'high',
    tags: ['correctness'],
    enabledByDefault: false,
  },
  options: {
    pageSizes: {
      type: 'string[]',
      default: ['4096'],
      values: PAGE_SIZES,
      description: 'Page sizes (bytes) the program runs with; a region not aligned to any of them is reported. Add 16384 or 65536 for arm64 or ppc64 kernels with larger pages.',
    },
  },
  docs: {
    summary:
      'Reports vmsplice() calls with SPLICE_F_GIFT whose iovec provably covers a partial page: an iov_len that is not a ' +
      'multiple of the page size, or an iov_base at a constant, unaligned offset from memory that starts on a page ' +
      'boundary (mmap(), valloc(), aligned_alloc(), memalign(), posix_memalign()). A gift of a partial page can never be ' +
      'stolen, so the flag says something the code does not mean. Off by default; enable it with --rule gift-unaligned ' +
      'or in the config.',
    why: [
      'vmsplice(2) still says gifted data "must also be properly page aligned" and lists EINVAL for "memory not aligned if ' +
        'SPLICE_F_GIFT set". Kernels since the 2.6 era no longer check the alignment, so the call succeeds, but a ' +
        'partial page can never be stolen: the only in-tree stealer, FUSE with SPLICE_F_MOVE, moves a page only when ' +
        'the buffer covers the whole folio (`fuse_try_move_folio()`). The old AF_ALG documentation likewise said ' +
        'zero-copy "requires data to be aligned at the page boundary".',
      '',
      'An unaligned gift therefore signals a misunderstanding of what SPLICE_F_GIFT does; `splice-f-gift` reports the ' +
        'flag itself.',
    ].join('\n'),
    example: [
      'int give_tail(int wfd, char *buf)',
      '{',
      '    struct iovec v = { buf + 1, 100 };',
      '    return vmsplice(wfd, &v, 1, SPLICE_F_GIFT) == 100 ? 0 : -1;  /* gift-unaligned: 100 bytes is a partial page */',
      '}',
    ].join('\n'),
    useInstead: [
      'Drop SPLICE_F_GIFT (see `splice-f-gift`). If the flag is really meant, gift whole pages of a page-aligned ' +
        'private mapping and unmap them afterwards:',
      '',
      '```c',
      'char *pg = aligned_alloc(4096, 8192);',
      'struct iovec v = { pg, 8192 };',
      'vmsplice(p[1], &v, 1, SPLICE_F_GIFT);',
      '```',
    ].join('\n'),
    limits: [
      '- Only provable misalignment is reported: lengths that fold to a constant (literals, macros, local and global ' +
        'variables, wrapper parameters bound at the call), and constant offsets from a byte pointer (char, uint8_t or ' +
        'void) to aligned memory. Unknown alignment is never reported (`sysconf(_SC_PAGESIZE)`, `strlen()`, a ' +
        'parameter).',
      '- The page size is 4096 unless the `pageSizes` option adds 16384 or 65536.',
      '- Read-direction calls are not reported: the flag means nothing there.',
    ].join('\n'),
    fixes: 'None here: `splice-f-gift` offers the fix that removes the flag.',
    references: [
      { title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' },
      { title: 'Khlebnikov on SPLICE_F_GIFT (2019)', url: 'https://lore.kernel.org/all/c8001e7c-8039-3efb-948b-482b88005660@yandex-team.ru/' },
    ],
  },
  check(facts, report, options) {
    const pages = (options.pageSizes as string[]).map(Number).sort((a, b) => a - b);
    for (const fact of facts.vmsplice) {
      if (!fact.flags || fact.lifetime.direction === 'read' || fact.destination.notAPipe) continue;
      const d = fact.flags.decide(GIFT);
      if (d.state !== 'must' && d.state !== 'may') continue;
      for (const a of fact.alignment) {
        const page = misaligned(a, pages);
        if (page === null) continue;
        const what = a.kind === 'length' ? `its length '${a.text}' is not a multiple of` : `its start '${a.text}' is not aligned to`;
        report({
          message:
            `vmsplice() ${d.state === 'must' ? 'gifts' : 'may gift'} (SPLICE_F_GIFT) a region that covers a partial page: ${what} the ${page}-byte page, and a partial page can never be stolen. ` +
            'Drop the flag: the gift promises what it cannot deliver.',
          location: fact.location,
          related: [{ location: a.location, message: a.kind === 'length' ? 'The length is set here.' : 'The start is set here.' }, ...innerCallRelated(fact)],
        });
        break;
      }
    }
  },
};
