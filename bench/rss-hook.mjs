// Preloaded by bench/cli.ts into each apdesk it starts: writes the process's peak memory (maxRSS,
// in KB) to the file APDESK_BENCH_RSS names, as the process exits.
import { writeFileSync } from 'node:fs';

const target = process.env.APDESK_BENCH_RSS;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
