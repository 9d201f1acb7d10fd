import { cpus, loadavg, totalmem } from 'node:os';
import { serverVersions } from '../infrastructure/servers';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  ramGiB: number;
  node: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverageAtStart: number;
  servers: Record<string, string>;
  serverOrigin: string;
}

export function machineInfo(serverOrigin: string): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    servers: serverVersions(),
    serverOrigin,
  };
}
