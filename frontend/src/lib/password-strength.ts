import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

/**
 * The password policy as the server applies it, for feedback while typing (the server stays the
 * authority): zxcvbn's score with the owner's names as known words, and never the username or
 * the product's name inside. Its dictionaries weigh a few hundred kilobytes, so screens load this
 * module with a dynamic import.
 */

/** The lowest score the server accepts. */
export const MIN_ACCEPTED_SCORE = 3;

const PRODUCT_NAME = 'opsdeck';

export type Score = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  score: Score;
  warning: string | null;
  suggestions: string[];
}

const zxcvbn = new ZxcvbnFactory({
  translations,
  graphs: adjacencyGraphs,
  dictionary: { ...commonDictionary, ...englishDictionary },
});

/** Words about the owner an attacker would try: each input, its words, an email's local part. */
function guessableWords(userInputs: readonly string[]): string[] {
  const words = new Set<string>([PRODUCT_NAME]);
  for (const input of userInputs.map((value) => value.trim()).filter(Boolean)) {
    words.add(input);
    for (const word of input.split(/\s+/)) words.add(word);
    const [localPart] = input.split('@');
    if (input.includes('@') && localPart) words.add(localPart);
  }
  return [...words];
}

export function estimateStrength(password: string, { username, userInputs }: { username: string; userInputs: readonly string[] }): Strength {
  const lowered = password.toLowerCase();
  const trimmedUsername = username.trim().toLowerCase();
  if (trimmedUsername && lowered.includes(trimmedUsername)) return { score: 0, warning: 'It contains your username.', suggestions: ['Leave it out.'] };
  if (lowered.includes(PRODUCT_NAME)) return { score: 0, warning: 'It contains the product’s name.', suggestions: ['Leave it out.'] };
  const result = zxcvbn.check(password, guessableWords([username, ...userInputs]));
  return { score: result.score, warning: result.feedback.warning, suggestions: result.feedback.suggestions };
}
