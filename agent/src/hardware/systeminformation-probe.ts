// Reads hardware components with systeminformation. Run as a short-lived child process by the
// agent: some probes block (execSync) and the module is large, so neither lands in the daemon.
import * as fs from 'node:fs';
import type { HardwareComponents } from '@vact/shared';

function joinParts(...parts: (string | undefined | null)[]): string {
  return parts.map((p) => (p ?? '').trim()).filter((p) => p !== '' && p !== '-').join('|');
}

/** machine-id fallback (containers and VMs without DMI data). */
export function readMachineId(): string | null {
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const v = fs.readFileSync(f, 'utf8').trim();
      if (v) return v;
    } catch {
      // try the next location
    }
  }
  return null;
}

/** The raw components of this machine; fields empty in VMs and containers are left empty. */
export async function probeSystemInformation(): Promise<HardwareComponents> {
  const si = await import('systeminformation');
  const settle = async <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);
  const [board, system, cpu, mem, disks, nets, uuid] = await Promise.all([
    settle(si.baseboard()), settle(si.system()), settle(si.cpu()), settle(si.mem()),
    settle(si.diskLayout()), settle(si.networkInterfaces()), settle(si.uuid()),
  ]);
  const out: HardwareComponents = {};
  if (board) out.board = joinParts(board.manufacturer, board.model, board.serial);
  if (system) out.system = joinParts(system.manufacturer, system.model, system.serial, system.uuid);
  if (cpu) out.cpu = joinParts(cpu.manufacturer, cpu.brand, String(cpu.cores || ''), String(cpu.physicalCores || ''));
  if (mem && mem.total > 0) out.mem = mem.total;
  if (disks) out.disks = disks.map((d) => joinParts(d.serialNum, d.serialNum ? '' : `${d.name} ${d.size}`)).filter((d) => d !== '');
  const netList = Array.isArray(nets) ? nets : nets ? [nets] : [];
  out.macs = netList.filter((n) => !n.internal && !n.virtual && n.mac).map((n) => n.mac);
  const machineId = uuid?.os || readMachineId();
  if (machineId) out.machineId = machineId;
  return out;
}

if (require.main === module) {
  probeSystemInformation().then(
    (c) => { process.stdout.write(JSON.stringify(c)); },
    (err) => { process.stderr.write(String((err as Error)?.message ?? err)); process.exitCode = 1; },
  );
}
