import type { SpliceFact } from '../src/analysis/splices.js';
import { SPLICE_FLAGS, type SpliceFlagName } from '../src/analysis/values.js';
import { flagRemoval } from '../src/fix.js';
import { flagRelated, passedPhrase, quoteList } from '../src/messages.js';
import type { Rule } from '../src/rule.js';
import type { Location } from '../src/types.js';

type Ineffective = Exclude<SpliceFlagName, 'SPLICE_F_NONBLOCK'>;

const NO_EFFECT_ON_VMSPLICE: Ineffective[] = ['SPLICE_F_MOVE', 'SPLICE_F_MORE'];
/** What a reader of the code takes each flag to promise. */
const SUGGESTS: Record<Ineffective, string> = { SPLICE_F_MOVE: 'a zero-copy move', SPLICE_F_MORE: 'a batching hint', SPLICE_F_GIFT: 'a page gift' };

function dropAdvice(flags: Ineffective[]): string {
  const many = flags.length > 1;
  return `Drop ${many ? 'them' : 'it'}: ${many ? 'they suggest' : 'it suggests'} ${quoteList(flags.map((f) => SUGGESTS[f]))} that never ${many ? 'happen' : 'happens'}.`;
}

/** Whether `flag` does something on this splice()/tee(): MORE corks a socket (or any non-pipe output), MOVE moves into /dev/fuse. */
function mattersOn(flag: Ineffective, call: SpliceFact): boolean {
  if (flag === 'SPLICE_F_MORE') return call.callee === 'splice' && call.output !== 'pipe';
  return flag === 'SPLICE_F_MOVE' && (call.output === 'fuse' || call.output === 'may-be-fuse');
}

/**
 * Whether the flags value that sets `flag` on a vmsplice() also reaches a splice() or tee() where the flag works (issue
 * 12): one `flags` variable serving the whole vmsplice-then-splice pipeline is right as written, and dropping the bit
 * where it is set would break the splice.
 */
function sharedWithSplice(splices: readonly SpliceFact[], flag: Ineffective, setAt: Location | null): boolean {
  if (!setAt) return false;
  const same = (l: Location): boolean =>
    l.path === setAt.path && l.region.startLine === setAt.region.startLine && l.region.startColumn === setAt.region.startColumn;
  return splices.some((call) => mattersOn(flag, call) && call.setAt(SPLICE_FLAGS[flag]).some(same));
}

export const ineffectiveFlag: Rule = {
  id: 'ineffective-flag',
  meta: {
    title: 'Splice flag with no effect on vmsplice',
    level: 'note',
    precision: 'high',
    tags: ['maintainability', 'correctness'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports vmsplice() calls that are or may be passed SPLICE_F_MOVE or SPLICE_F_MORE (vmsplice ignores both), ' +
      'splice() calls passing SPLICE_F_MOVE to anything but /dev/fuse, and splice() or tee() calls passing SPLICE_F_GIFT ' +
      '(unused there). Their presence suggests the author expects a zero-copy move or a batching hint that never happens.',
    why: [
      'The vmsplice(2) manual page lists SPLICE_F_MOVE as "Unused for vmsplice()" and SPLICE_F_MORE as "Currently has ' +
        'no effect for vmsplice()". Since Linux 2.6.21 even splice(2) treats SPLICE_F_MOVE as "a no-op (but is still ' +
        'permitted)" (commit 485ddb4b9741, "splice: dont steal"); only FUSE still moves pages.',
      '',
      'Readers of the code believe pages are moved, not shared, and reason wrongly about when the buffer may be reused.',
    ].join('\n'),
    example: [
      'struct iovec v = { buf, len };',
      'vmsplice(p[1], &v, 1, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);  /* ineffective-flag */',
    ].join('\n'),
    useInstead: ['```c', 'vmsplice(p[1], &v, 1, SPLICE_F_NONBLOCK);', '```'].join('\n'),
    limits: [
      '- splice() and tee() calls are checked where they are written (also as `syscall(__NR_splice, ...)`), not through ' +
        'wrappers. SPLICE_F_MOVE on a splice() whose output is unknown is not reported when the file names /dev/fuse or ' +
        'fuse_/FUSE_ identifiers: the output may be /dev/fuse, the one sink that still moves pages.',
      '- Flags are evaluated as for `splice-f-gift`; unknown values are not reported.',
      '- A vmsplice() flag is not reported when the value that sets it (the same expression) also reaches a splice() or ' +
        'tee() in the same file where it works: SPLICE_F_MORE on a splice() into anything but a pipe, SPLICE_F_MOVE on one ' +
        'into /dev/fuse. One flags variable serving the whole pipeline is then right as written. A value shared with a ' +
        'splice() in another file is not seen.',
    ].join('\n'),
    fixes: [
      'For vmsplice() calls, remove the flag: each of SPLICE_F_MOVE and SPLICE_F_MORE written in a `|` chain that is the ' +
        'flags argument of the reported call, or the initializer of a local variable used only as flags of such calls, ' +
        'can be dropped, keeping the other flags (`SPLICE_F_MOVE | SPLICE_F_NONBLOCK` becomes `SPLICE_F_NONBLOCK`; a lone ' +
        'flag becomes `0`). No fix is offered when the flag comes from a macro, another file, a global, a conditional or ' +
        'arithmetic, or when the variable is used otherwise.',
      '',
      'splice() and tee() findings have no fix yet: whether an output may be /dev/fuse is for the reader to confirm.',
    ].join('\n'),
    references: [
      { title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' },
      { title: 'splice(2)', url: 'https://man7.org/linux/man-pages/man2/splice.2.html' },
    ],
  },
  check(facts, report) {
    for (const fact of facts.vmsplice) {
      const flags = fact.flags;
      if (!flags) continue;
      const hits = NO_EFFECT_ON_VMSPLICE.map((name) => ({ name, d: flags.decide(SPLICE_FLAGS[name]) })).filter(
        (h) => (h.d.state === 'must' || h.d.state === 'may') && !sharedWithSplice(facts.splices, h.name, h.d.setAt),
      );
      // One finding per place where such flags are decided (usually one per call).
      const groups = new Map<string, typeof hits>();
      for (const h of hits) {
        const key = `${h.d.location.region.startLine}:${h.d.location.region.startColumn}`;
        groups.set(key, [...(groups.get(key) ?? []), h]);
      }
      for (const same of groups.values()) {
        const many = same.length > 1;
        const placed = same.find((h) => h.d.setAt) ?? same[0];
        report({
          message:
            `vmsplice() ${passedPhrase(same.map((h) => h.d), same.map((h) => h.name))}, which ${many ? 'have' : 'has'} no effect on ` +
            `vmsplice(). ${dropAdvice(same.map((h) => h.name))}`,
          location: same[0].d.location,
          related: flagRelated(fact, placed.d, placed.name),
          fixes: same.map((h) => flagRemoval(facts, h.d, h.name)).filter((f) => f !== null),
        });
      }
    }
    for (const call of facts.splices) {
      const flags: { name: Ineffective; state: string; why: string }[] = [];
      const gift = call.flags(SPLICE_FLAGS.SPLICE_F_GIFT);
      if (gift === 'must' || gift === 'may') flags.push({ name: 'SPLICE_F_GIFT', state: gift, why: `${call.callee}() ignores SPLICE_F_GIFT` });
      const move = call.flags(SPLICE_FLAGS.SPLICE_F_MOVE);
      const moveMatters = call.output === 'fuse' || call.output === 'may-be-fuse';
      if ((move === 'must' || move === 'may') && !moveMatters) {
        flags.push({ name: 'SPLICE_F_MOVE', state: move, why: call.callee === 'tee' ? 'tee() never moves pages' : 'pages are moved only into /dev/fuse' });
      }
      if (!flags.length) continue;
      const through = call.via.filter((v) => !/^macro 'SPLICE_F_[A-Z]+'$/.test(v));
      const via = through.length ? ` (through ${quoteList(through)})` : '';
      const many = flags.length > 1;
      const verb = flags.every((f) => f.state === 'must') ? 'is passed' : 'may be passed';
      report({
        message:
          `${call.callee}() ${verb} ${quoteList(flags.map((f) => f.name))}${via}, which ${many ? 'have' : 'has'} no effect here ` +
          `(${flags.map((f) => f.why).join('; ')}). ${dropAdvice(flags.map((f) => f.name))}`,
        location: call.location,
      });
    }
  },
};
