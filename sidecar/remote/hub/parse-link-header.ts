/** The URL of `rel="next"` in an RFC 8288 `Link` header (`<https://...>; rel="next", <...>; rel="last"`), if any. */
export function parseLinkNext(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(/,\s*(?=<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match === null) continue;
    const rels = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2])?.[1].toLowerCase().split(/\s+/) ?? [];
    if (rels.includes('next')) return match[1];
  }
  return undefined;
}
