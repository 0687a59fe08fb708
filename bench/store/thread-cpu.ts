import { readFileSync } from 'node:fs';

/** CPU time of this process's main thread in µs (Linux /proc; 10 ms clock ticks): process.cpuUsage() counts every thread. */
export function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}
