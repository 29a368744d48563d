import { useEffect, useState } from 'react';

import { Button } from './Button';

type CopyState = 'idle' | 'copied' | 'failed';

/** Copies `text` to the clipboard and says so (to screen readers too). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const reset = setTimeout(() => setState('idle'), 4_000);
    return () => clearTimeout(reset);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  }

  return (
    <span className="copy-button">
      <Button size="small" onClick={() => void copy()}>
        {label}
      </Button>
      <span role="status" className="copy-button__status">
        {state === 'copied' ? 'Copied to the clipboard' : state === 'failed' ? 'Copying failed: select the text and copy it yourself' : ''}
      </span>
    </span>
  );
}
