/** JSON.parse that answers undefined for text that is not JSON (an HTML error page from a proxy, a cut body). */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
