// All configured agents and their connections. Plain TypeScript: the vscode edge feeds it the
// configured list and the tokens, and listens to its changes.
import { AgentConnection, type AgentConfig, type AgentSnapshot, type ConnectionDeps, type Reminder } from './agent-connection';
import { Emitter, type Disposable } from './emitter';

export class Fleet implements Disposable {
  private readonly connections = new Map<string, { conn: AgentConnection; subs: Disposable[] }>();
  private readonly changed = new Emitter<AgentSnapshot | null>();
  private readonly reminded = new Emitter<{ agent: AgentConfig; reminder: Reminder }>();
  /** Fires with the agent that changed, or null when the list itself changed. */
  readonly onDidChange = this.changed.event;
  readonly onReminder = this.reminded.event;

  constructor(private readonly deps: ConnectionDeps) {}

  /** Makes the connections match `configs`: starts new ones, updates changed ones, drops removed ones. */
  sync(configs: AgentConfig[], tokenOf: (id: string) => string | undefined): void {
    const wanted = new Set(configs.map((c) => c.id));
    for (const [id, entry] of this.connections) {
      if (!wanted.has(id)) {
        entry.subs.forEach((s) => s.dispose());
        entry.conn.dispose();
        this.connections.delete(id);
      }
    }
    for (const config of configs) {
      const token = tokenOf(config.id) ?? '';
      const existing = this.connections.get(config.id);
      if (existing) {
        existing.conn.update(config, token);
        continue;
      }
      const conn = new AgentConnection(config, token, this.deps);
      const subs = [conn.onDidChange((s) => this.changed.fire(s)), conn.onReminder((reminder) => this.reminded.fire({ agent: conn.snapshot.config, reminder }))];
      this.connections.set(config.id, { conn, subs });
      conn.start();
    }
    this.changed.fire(null);
  }

  get(id: string): AgentConnection | undefined {
    return this.connections.get(id)?.conn;
  }

  /** Snapshots of every agent, in configuration order. */
  snapshots(): AgentSnapshot[] {
    return [...this.connections.values()].map((e) => e.conn.snapshot);
  }

  dispose(): void {
    for (const e of this.connections.values()) {
      e.subs.forEach((s) => s.dispose());
      e.conn.dispose();
    }
    this.connections.clear();
    this.changed.dispose();
    this.reminded.dispose();
  }
}
