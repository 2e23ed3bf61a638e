import { flowMiddle } from '../src/messages.js';
import type { BufferEventFact } from '../src/analysis/facts.js';
import type { Report, Rule } from '../src/rule.js';
import type { RelatedLocation } from '../src/types.js';

function what(e: BufferEventFact): string {
  const by = e.callee ? ` by ${e.callee}()` : '';
  if (e.refill) return `is refilled${by} on the next loop iteration`;
  switch (e.kind) {
    case 'store':
      return 'is written';
    case 'libc':
      return `is overwritten by ${e.callee}()`;
    case 'call':
      return `is written by ${e.callee}()`;
    case 'free':
      return 'is freed';
    case 'realloc':
      return `is reallocated by ${e.callee}()`;
    case 'scope-exit':
      return e.scopeEnd === 'return' ? 'goes out of scope when the function returns' : 'goes out of scope at the end of its block';
    case 'fork':
      return `is shared with a child by ${e.callee}()`;
  }
}

export const bufferModifiedAfterVmsplice: Rule = {
  id: 'buffer-modified-after-vmsplice',
  meta: {
    title: 'Buffer modified after vmsplice',
    level: 'error',
    securitySeverity: 7.0,
    precision: 'high',
    tags: ['security', 'correctness', 'external/cwe/cwe-362', 'external/cwe/cwe-416'],
    enabledByDefault: true,
  },
  docs: {
    summary:
      'Reports writes to, and releases of, memory that a write-direction vmsplice() queued in a pipe, on a path from ' +
      'the call on which nothing proves the pipe\'s reader is done with it. vmsplice maps the caller\'s pages into the ' +
      'pipe instead of copying them, so the reader sees whatever the memory holds when it reads: the modified bytes, ' +
      'the next record, or (after free or the end of a stack frame) unrelated and possibly secret data.',
    why: [
      'Mainline vmsplice(2) takes references to the caller\'s pages and never copies. The kernel gives no signal when ' +
        'the consumer is done with them. Linus Torvalds (2019): "the rules for vmsplice is simply to not change the ' +
        'source pages… If you want to change the source pages, you need to just use write() instead."',
      '',
      '- A write after the call shows up in what the reader gets (Askar Safin\'s 2026 test: vmsplice "a", set the byte ' +
        'to "b", read "b").',
      '- free(), realloc() and the end of a stack frame hand the memory to other data while the pipe still points at ' +
        'it: the consumer, maybe another process or a network peer, receives foreign bytes (uutils/coreutils#7625: ' +
        '`yes` freed a buffer still referenced through an onward splice; nix-rust/nix#2633).',
      '- Andy Lutomirski: "Just plain free() won\'t be good enough."',
    ].join('\n'),
    example: [
      'int send_pid(int wfd)',
      '{',
      '    char tmp[64];',
      '    int n = snprintf(tmp, sizeof tmp, "pid=%d\\n", (int)getpid());',
      '    struct iovec v = { tmp, (size_t)n };',
      '    return vmsplice(wfd, &v, 1, 0) == n ? 0 : -1;  /* tmp goes out of scope while queued */',
      '}',
    ].join('\n'),
    useInstead: [
      'Keep the memory unchanged until the pipe has been drained into a consumer that copies (a regular file, ' +
        'netlink, a read() of the full amount), or use write(), which copies. Linus\'s pattern for reusable buffers: ' +
        'build each buffer in a fresh private anonymous mmap() and munmap() it after the vmsplice; the pipe keeps the ' +
        'pages, nobody can write them.',
      '',
      '```c',
      'if (write(wfd, tmp, (size_t)n) != n)  /* a copy: tmp may die */',
      '    return -1;',
      '```',
      '',
      'A design that knowingly tolerates changing data can suppress the finding with a reason, or mark the point where ' +
        'the consumer is known to be done with `/* vmsplice-consumed */`.',
    ].join('\n'),
    limits: [
      '- Paths are judged in the function that queues the buffer and in each caller a wrapper passes it through, up to ' +
        'the first function that passes a safe point on every path back to its caller (its callers get the buffer back ' +
        'unqueued). Safe points in helpers the wrapper calls (a function that closes both pipe ends for it) and pipes that ' +
        'arrive as parameters are not recognised yet, so such a wrapper\'s callers are still judged. A buffer handed to ' +
        'another thread or a signal handler is not followed.',
      '- Safe points recognised: a checked splice() of the same pipe\'s read end into a regular file, /dev/null or a ' +
        'netlink socket (or an AF_ALG operation socket with `--kernel 7.1` or later), or a checked read() of it; the ' +
        'result read back from an AF_ALG operation socket; closing both ' +
        'ends of the pipe; munmap()/MAP_FIXED/MADV_DONTNEED of a private anonymous mapping; a `vmsplice-consumed` comment. ' +
        'Refills in code that compares the pipe size fcntl(F_SETPIPE_SZ/F_GETPIPE_SZ) returned (double buffering, S4) are ' +
        'not reported (see `double-buffer-relies-on-reader`): a check in the same function, or anywhere in the project on ' +
        'the same pipe or standard stream (main() sizing standard output once) whose result is compared with a size, not ' +
        'only tested for failure. Whether the check runs before the refill is not verified.',
      '- Conditions are not evaluated except tests of the vmsplice result for failure (`< 0`, `== -1`, `<= 0`): ' +
        'nothing was queued on those branches.',
      '- Project functions and function-like macros are summarised: what they write, free or unmap through each ' +
        'parameter, at each dereference level (`fill(&iov)` reading into `iov->iov_base` refills the buffer; advancing ' +
        '`iov->iov_base` does not). Functions the analysed files do not define are assumed not to write (a known false ' +
        'negative).',
      '- Memory is matched by points-to, flow-insensitively except for what the iovec holds when it is queued: a pointer ' +
        'that may point at the buffer on any path counts, and a write to an unqueued part of the same buffer is reported. ' +
        'Array elements with constant indices are told apart; other elements are one location.',
    ].join('\n'),
    fixes:
      'None: where to wait for the pipe to drain, or whether to copy, is a design decision the tool cannot make.',
    references: [
      { title: 'vmsplice(2)', url: 'https://man7.org/linux/man-pages/man2/vmsplice.2.html' },
      { title: 'Linus Torvalds on vmsplice rules (2019)', url: 'https://lore.kernel.org/all/CAHk-=wg_X_7JSYT-a3qHrzvuWGMyffDWtQ4n7adBp_fe5w0BsA@mail.gmail.com/' },
      { title: 'uutils/coreutils#7625', url: 'https://github.com/uutils/coreutils/issues/7625' },
    ],
  },
  check(facts, report) {
    // A buffer leaving scope is one defect however many exits and queueing calls lead there (issue 11): one finding at
    // the first exit, the other exits and queueing calls as related locations.
    const exits = new Map<string, BufferEventFact[]>();
    // Likewise, the writes that refill one queued buffer on the next round are one defect of that queueing call.
    const refills = new Map<string, BufferEventFact[]>();
    const assumptions = new Map<BufferEventFact, string>();
    for (const fact of facts.vmsplice) {
      if (fact.lifetime.direction !== 'write') continue;
      for (const e of fact.lifetime.events) {
        if (fact.destination.assumption) assumptions.set(e, fact.destination.assumption);
        if (e.kind === 'scope-exit') {
          const key = `${e.owner}\0${e.buffer}`;
          exits.set(key, [...(exits.get(key) ?? []), e]);
          continue;
        }
        if (e.refill) {
          const key = `${e.owner}\0${e.buffer}\0${e.queuedAt.region.startLine}:${e.queuedAt.region.startColumn}`;
          refills.set(key, [...(refills.get(key) ?? []), e]);
          continue;
        }
        reportEvent(e, [], report, assumptions.get(e));
      }
    }
    for (const group of refills.values()) {
      const [first, ...rest] = [...group].sort((a, b) => a.location.region.startLine - b.location.region.startLine || a.location.region.startColumn - b.location.region.startColumn);
      const related = rest.map((e): RelatedLocation => ({ location: e.location, message: `'${e.buffer}' ${what(e).replace(/^is /, 'is also ')} here.` }));
      reportEvent(first, related, report, assumptions.get(first));
    }
    for (const group of exits.values()) {
      const byPlace = (a: BufferEventFact, b: BufferEventFact): number =>
        a.location.region.startLine - b.location.region.startLine || a.queuedAt.region.startLine - b.queuedAt.region.startLine;
      const [first, ...rest] = [...group].sort(byPlace);
      const related: RelatedLocation[] = [];
      const seen = new Set([`${first.location.region.startLine}:${first.location.region.startColumn}`, `q${first.queuedAt.region.startLine}`]);
      for (const e of rest) {
        const exit = `${e.location.region.startLine}:${e.location.region.startColumn}`;
        if (!seen.has(exit)) related.push({ location: e.location, message: `'${e.buffer}' also leaves scope here while queued.` });
        if (!seen.has(`q${e.queuedAt.region.startLine}`)) related.push({ location: e.queuedAt, message: `'${e.buffer}' is also queued here.` });
        seen.add(exit).add(`q${e.queuedAt.region.startLine}`);
      }
      reportEvent(first, related, report, assumptions.get(first));
    }
  },
};

/** `assumption`: the kernel assumption the pipe's AF_ALG consumer was judged under (--kernel), said in the message. */
function reportEvent(e: BufferEventFact, extra: RelatedLocation[], report: (r: Report) => void, assumption?: string): void {
  const line = e.queuedAt.region.startLine;
  const queued = e.queuedBy === 'vmsplice' || e.queuedBy === 'sys_vmsplice' ? `${e.queuedBy}()` : `'${e.queuedBy}()' (which calls vmsplice())`;
  const verb = what(e);
  const base = e.reliance
    ? `The buffer '${e.buffer}' queued by ${queued} on line ${line} ${verb} before the pipe is drained: the reader sees the new bytes only while vmsplice shares pages (a copying vmsplice, fork() or hugetlb break this)`
    : `The buffer '${e.buffer}' queued by ${queued} on line ${line} ${verb} while the pipe may still reference its pages`;
  const advice = e.reliance
    ? 'Finish writing the buffer before queuing it, or queue the changed bytes again.'
    : 'Drain the pipe (splice it into a file or read it) before changing the buffer, or queue a copy with write().';
  const message = `${base}${assumption ? ` (the pipe is drained into AF_ALG, ${assumption})` : ''}. ${advice}`;
  const steps: RelatedLocation[] = [{ location: e.queuedAt, message: `${queued} queues the pages of '${e.buffer}'.` }];
  const kept = flowMiddle(e.path);
  for (const p of kept) steps.push({ location: p, message: 'Control reaches this statement.' });
  steps.push({ location: e.location, message: `'${e.buffer}' ${verb}.` });
  report({
    message,
    location: e.location,
    related: [{ location: e.queuedAt, message: `The buffer is queued by ${queued} here.` }, ...extra],
    flow: steps,
  });
}
