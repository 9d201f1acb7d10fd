import { readFileSync } from 'node:fs';

export interface ProcessUsage {
  /** User + system CPU seconds since the process started. */
  cpuSeconds: number;
  rssBytes: number;
  /** Peak resident set size (VmHWM). */
  peakRssBytes: number;
}

// USER_HZ is 100 on every Linux the project targets (x86-64, arm64); reading it would need
// getconf, a child process per sample.
const clockTicksPerSecond = 100;

/** CPU and memory of a process from /proc, or undefined once it has gone. */
export function readProcessUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after its last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds: (utime + stime) / clockTicksPerSecond, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Usage of one process over a phase. */
export interface UsageDelta {
  cpuSeconds: number;
  /** CPU seconds per wall second (1.0 = one core busy). */
  cores: number;
  rssBytes: number;
  peakRssBytes: number;
}

export function usageDelta(before: ProcessUsage | undefined, after: ProcessUsage | undefined, wallSeconds: number): UsageDelta | undefined {
  if (!before || !after) return undefined;
  const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
  return {
    cpuSeconds: round(cpuSeconds, 2),
    cores: round(wallSeconds > 0 ? cpuSeconds / wallSeconds : 0, 2),
    rssBytes: after.rssBytes,
    peakRssBytes: after.peakRssBytes,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
