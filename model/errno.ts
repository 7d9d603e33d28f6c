/** Linux errno values as the syscalls return them (negated). */
export const EINTR = 4;
export const EAGAIN = 11;
export const EFAULT = 14;
export const EINVAL = 22;
export const ESRCH = 3;
export const EOPNOTSUPP = 95;

const NAMES: Readonly<Record<number, string>> = {
  [-EINTR]: '-EINTR',
  [-EAGAIN]: '-EAGAIN',
  [-EFAULT]: '-EFAULT',
  [-EINVAL]: '-EINVAL',
  [-ESRCH]: '-ESRCH',
  [-EOPNOTSUPP]: '-EOPNOTSUPP',
};

/** `-EINVAL` for -22, `0` for 0, the number itself otherwise (e.g. 1 for a bad api_version). */
export function errnoName(ret: number): string {
  return NAMES[ret] ?? String(ret);
}
