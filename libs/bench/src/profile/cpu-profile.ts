import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) the summary needs. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  function: string;
  location: string;
  selfMs: number;
  selfPercent: number;
}

export interface ProfileSummary {
  file: string;
  /** The samples kept: the whole process life, or the load window (clock of process.hrtime, µs). */
  window: 'process life' | 'load phases';
  totalMs: number;
  /** Share of sampled time the thread was idle (waiting on I/O). */
  idlePercent: number;
  top: HotFunction[];
  /** Self time by where the code lives: a node_modules package, node internals, the project, GC. */
  byOrigin: Array<{ origin: string; selfMs: number; selfPercent: number }>;
}

function isCpuProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && Array.isArray((value as { nodes?: unknown }).nodes);
}

/** Microseconds on the monotonic clock V8's profiler stamps samples with (process.hrtime's, on Linux). */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Self time per function of a .cpuprofile, heaviest first. With a window (monotonic µs, see
 * monotonicMicros; V8 stamps samples on the same CLOCK_MONOTONIC in every process of a Linux
 * machine) only the samples inside it count: the load phases, without boot and shutdown.
 */
export function summariseCpuProfile(file: string, topN = 20, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const selfUs = new Map<number, number>();
  const samples = parsed.samples ?? [];
  const deltas = parsed.timeDeltas ?? [];
  // A sample's time is the delta to the next one; V8 records the delta before each sample.
  let at = parsed.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    const id = samples[i];
    if (id === undefined) continue;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i + 1] ?? 0));
  }
  let total = 0;
  let idle = 0;
  const byFunction = new Map<string, HotFunction>();
  const byOrigin = new Map<string, number>();
  for (const node of parsed.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += us;
    const name = functionName || '(anonymous)';
    const location = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${location}`;
    const entry = byFunction.get(key) ?? { function: name, location, selfMs: 0, selfPercent: 0 };
    entry.selfMs += us / 1000;
    byFunction.set(key, entry);
    const origin = originOf(functionName, url);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us / 1000);
  }
  const busy = Math.max(1, total - idle);
  const pct = (ms: number) => Math.round(((ms * 1000) / busy) * 1000) / 10;
  return {
    file,
    window: window ? 'load phases' : 'process life',
    totalMs: Math.round(total / 1000),
    idlePercent: Math.round((idle / Math.max(1, total)) * 1000) / 10,
    top: [...byFunction.values()]
      .filter((f) => f.function !== '(idle)')
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, topN)
      .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), selfPercent: pct(f.selfMs) })),
    byOrigin: [...byOrigin.entries()]
      .filter(([origin]) => origin !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([origin, ms]) => ({ origin, selfMs: Math.round(ms), selfPercent: pct(ms) })),
  };
}

function shorten(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const project = /\/(services|libs)\/.*/.exec(url);
  return project ? project[0].slice(1) : url.replace(/^file:\/\//, '');
}

function originOf(functionName: string, url: string): string {
  if (functionName.startsWith('(')) return functionName;
  if (!url) return '(native/builtin)';
  const modules = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return 'node internals';
  const project = /\/(services|libs)\/([^/]+)\//.exec(url);
  if (project?.[1] && project[2]) return `${project[1]}/${project[2]}`;
  return 'other';
}
