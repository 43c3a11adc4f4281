// The start path's first file, in plain JavaScript that any Node.js can parse: it checks the
// version before anything else loads, because on Node.js 20 loading src/main.ts fails with
// ERR_UNKNOWN_FILE_EXTENSION (no type stripping) and never mentions the version. A check
// inside main.ts would come too late: its static imports are evaluated before its body.
// Keep MINIMUM in step with "engines" in package.json and with .nvmrc.
const MINIMUM = 24;

if (Number(process.versions.node.split('.')[0]) < MINIMUM) {
  process.stderr.write(
    `todos needs Node.js ${MINIMUM} or newer; you have ${process.versions.node}. With nvm, \`nvm use\` picks the version in .nvmrc.\n`,
  );
  process.exit(1);
}

await import('./main.ts');
