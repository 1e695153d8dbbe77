/**
 * Whether a URL's host name is this machine: `localhost` (and `*.localhost`), 127.0.0.0/8 written as an IPv4
 * address, or ::1 (with or without the brackets URL.hostname keeps). A name that only starts with `127.` is not.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '::1' ||
    name === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(name)
  );
}
