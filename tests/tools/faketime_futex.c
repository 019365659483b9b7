/*
 * Preloaded together with Debian's libfaketime when the whole suite runs with the system
 * date moved (scripts/ci_at.sh). Not part of the product.
 *
 * Why: libfaketime fakes clock_gettime(CLOCK_REALTIME), but TensorFlow's nsync computes
 * absolute deadlines from that faked clock and hands them to the kernel through raw
 * futex(FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME) system calls, which the kernel measures
 * against the real clock. A deadline a year "ahead" never comes, and loading a model hangs
 * now and then (seen: DIET's load waiting in ~LogicalThreadWrapper). This wrapper moves
 * such deadlines back onto the real clock; everything else passes through untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <time.h>

typedef long (*syscall_fn)(long, ...);

long syscall(long number, ...) {
  static syscall_fn real = 0;
  if (!real) real = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
  va_list ap;
  va_start(ap, number);
  long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
  long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
  va_end(ap);
  if (number == SYS_futex && a4 && (a2 & FUTEX_CLOCK_REALTIME)) {
    int op = (int)(a2 & FUTEX_CMD_MASK);
    if (op == FUTEX_WAIT_BITSET || op == FUTEX_WAIT_REQUEUE_PI) {
      struct timespec faked, actual, deadline = *(const struct timespec *)a4;
      clock_gettime(CLOCK_REALTIME, &faked); /* libfaketime's answer */
      real(SYS_clock_gettime, CLOCK_REALTIME, &actual); /* the kernel's */
      long long shift = (long long)(faked.tv_sec - actual.tv_sec) * 1000000000LL
                        + (faked.tv_nsec - actual.tv_nsec);
      long long ns = (long long)deadline.tv_sec * 1000000000LL + deadline.tv_nsec - shift;
      if (ns < 0) ns = 0;
      deadline.tv_sec = ns / 1000000000LL;
      deadline.tv_nsec = ns % 1000000000LL;
      return real(number, a1, a2, a3, (long)&deadline, a5, a6);
    }
  }
  return real(number, a1, a2, a3, a4, a5, a6);
}
