/** `npm run docs`: regenerates the documents drawn from the code (docs/machine.md). */
import { writeFileSync } from 'node:fs';
import { renderMachineDoc } from '../src/machines/diagram.js';
import { webwxMachine } from '../src/machines/webwx.machine.js';

writeFileSync(new URL('../docs/machine.md', import.meta.url), renderMachineDoc(webwxMachine));
console.log('docs/machine.md written');
