import { useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { fitText } from './fit-text';
import type { TokenRequest } from './tui-state';

const PROVIDER_NAMES = { huggingface: 'HuggingFace', civitai: 'Civitai' } as const;

export interface TokenPromptProps {
  request: TokenRequest;
  width: number;
  onSubmit: (token: string) => void;
  onCancel: () => void;
}

/** A masked input: only bullets are drawn; the token is handed over on Enter and the field emptied. */
export function TokenPrompt({ request, width, onSubmit, onCancel }: TokenPromptProps) {
  // The token is kept in a ref, not in state, so no render (and no React devtools snapshot) holds it.
  const token = useRef('');
  const [length, setLength] = useState(0);

  useInput((input, key) => {
    if (key.escape) {
      token.current = '';
      onCancel();
    } else if (key.return) {
      const value = token.current.trim();
      token.current = '';
      setLength(0);
      if (value) onSubmit(value);
    } else if (key.backspace || key.delete) {
      token.current = token.current.slice(0, -1);
      setLength(token.current.length);
    } else if (input && !key.ctrl && !key.meta) {
      token.current += input.replace(/[\r\n]/g, '');
      setLength(token.current.length);
    }
  });

  const name = PROVIDER_NAMES[request.provider];
  const why =
    request.reason === 'denied'
      ? `Your ${name} token has no access to ${request.filenames.join(', ')}.`
      : `${request.filenames.join(', ')} needs a ${name} token.`;
  const where =
    request.reason === 'denied' && request.accessUrl
      ? `Ask for access at ${request.accessUrl}`
      : `Make one at ${request.tokenUrl}`;
  return (
    <Box flexDirection="column">
      <Text>{fitText(why, width)}</Text>
      <Text>{fitText(where, width, 'end')}</Text>
      <Text>
        {fitText(`Token (used for this download only, not saved): ${'•'.repeat(Math.min(length, 40))}`, width - 1)}
      </Text>
    </Box>
  );
}
