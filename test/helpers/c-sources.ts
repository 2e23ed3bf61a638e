// C sources written for the tests that run vmsplice-lint as users do (the Action, the installed package, the
// pre-commit hook), each with the findings it is known to produce.

/** No finding. */
export const CLEAN_C = `#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

/* Queues a constant message; the buffer is never written. */
static const char msg[] = "hello\\n";

int send_hello(int wfd)
{
	struct iovec v = { .iov_base = (void *)msg, .iov_len = sizeof msg - 1 };
	ssize_t n = vmsplice(wfd, &v, 1, 0);
	if (n != (ssize_t)(sizeof msg - 1))
		return -1;
	return 0;
}
`;

/** Two warnings: splice-f-gift and unchecked-result. */
export const GIFT_C = `#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

int send_gift(char *buf, size_t len)
{
	int p[2];
	struct iovec v = { .iov_base = buf, .iov_len = len };
	if (pipe(p) < 0)
		return -1;
	vmsplice(p[1], &v, 1, SPLICE_F_GIFT);
	return 0;
}
`;

/** An error (buffer-modified-after-vmsplice) and a warning (unchecked-result). */
export const REUSE_C = `#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int send_and_clear(int wfd, char *buf, size_t len)
{
	struct iovec v = { .iov_base = buf, .iov_len = len };
	if (vmsplice(wfd, &v, 1, 0) < 0)
		return -1;
	memset(buf, 0, len);
	return 0;
}
`;
