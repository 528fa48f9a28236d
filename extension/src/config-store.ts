// The configured agents (setting `vact.agents`) and their tokens (SecretStorage). vscode edge.
import * as vscode from 'vscode';
import type { AgentConfig } from './agents/agent-connection';

const SECTION = 'vact';
const secretKey = (id: string): string => `vact.agent-token.${id}`;

export class ConfigStore {
  private tokens = new Map<string, string>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The configured agents, well-formed entries only. */
  agents(): AgentConfig[] {
    const raw = vscode.workspace.getConfiguration(SECTION).get<unknown[]>('agents', []);
    return raw
      .filter((a): a is AgentConfig => typeof a === 'object' && a !== null && typeof (a as AgentConfig).id === 'string' && typeof (a as AgentConfig).name === 'string' && typeof (a as AgentConfig).url === 'string')
      .map(({ id, name, url, lab }) => (typeof lab?.role === 'string' && typeof lab.edition === 'string' ? { id, name, url, lab: { role: lab.role, edition: lab.edition } } : { id, name, url }));
  }

  /** Loads every configured agent's token from secret storage. */
  async loadTokens(): Promise<void> {
    const next = new Map<string, string>();
    for (const a of this.agents()) {
      const t = await this.secrets.get(secretKey(a.id));
      if (t) next.set(a.id, t);
    }
    this.tokens = next;
  }

  token(id: string): string | undefined {
    return this.tokens.get(id);
  }

  async add(name: string, url: string, token: string, lab?: AgentConfig['lab']): Promise<AgentConfig> {
    const list = this.agents();
    const existing = list.find((a) => a.url === url);
    const base: AgentConfig = existing ? { ...existing, name } : { id: `a${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`, name, url };
    const config: AgentConfig = lab ? { ...base, lab: { role: lab.role, edition: lab.edition } } : base;
    await this.secrets.store(secretKey(config.id), token);
    this.tokens.set(config.id, token);
    await this.write(existing ? list.map((a) => (a.id === config.id ? config : a)) : [...list, config]);
    return config;
  }

  async rename(id: string, name: string): Promise<void> {
    await this.write(this.agents().map((a) => (a.id === id ? { ...a, name } : a)));
  }

  async setToken(id: string, token: string): Promise<void> {
    await this.secrets.store(secretKey(id), token);
    this.tokens.set(id, token);
  }

  async remove(id: string): Promise<void> {
    await this.secrets.delete(secretKey(id));
    this.tokens.delete(id);
    await this.write(this.agents().filter((a) => a.id !== id));
  }

  private async write(list: AgentConfig[]): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update('agents', list, vscode.ConfigurationTarget.Global);
  }
}
