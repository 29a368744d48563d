// Fails when src/api/schema.d.ts is not what `npm run gen:api` makes of ../openapi/openapi.json,
// so the typed client can never silently disagree with the committed API contract.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const committedPath = join(root, 'src/api/schema.d.ts');
const scratch = mkdtempSync(join(tmpdir(), 'opsdeck-api-types-'));
const freshPath = join(scratch, 'schema.d.ts');

try {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/openapi-typescript/bin/cli.js'), '../openapi/openapi.json', '--output', freshPath],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const fresh = readFileSync(freshPath, 'utf8');
  let committed = '';
  try {
    committed = readFileSync(committedPath, 'utf8');
  } catch {
    // A missing file is reported as stale below.
  }
  if (fresh !== committed) {
    const freshLines = fresh.split('\n');
    const committedLines = committed.split('\n');
    const firstDifference = freshLines.findIndex((line, index) => line !== committedLines[index]);
    console.error(
      `src/api/schema.d.ts is stale (first difference at line ${firstDifference + 1}): ` +
        'run `npm run gen:api` in frontend/ after regenerating openapi/openapi.json.',
    );
    process.exit(1);
  }
  console.log('src/api/schema.d.ts matches ../openapi/openapi.json');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
