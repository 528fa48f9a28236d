// Typed client of the authority API, used by the `vact authority` admin commands, the
// proxy, and the agent. Responses are validated against the shared schemas; API errors come
// back as VactError with the server's code, network failures as UNREACHABLE.
import * as http from 'node:http';
import * as https from 'node:https';
import {
  VactError, isErrorCodeName, AuthorityPaths,
  ApiErrorBodySchema, MakActivationResponseSchema, KmsHostActivationResponseSchema, OfflineConfirmResponseSchema,
  OfflineBatchResponseSchema, KeyInfoSchema, KeyListResponseSchema, AuditResponseSchema, ClockResponseSchema,
  HealthResponseSchema, AuthorityKeyResponseSchema,
  type MakActivationRequest, type MakActivationResponse, type KmsHostActivationRequest, type KmsHostActivationResponse,
  type OfflineConfirmResponse, type OfflineBatchResponse, type IssueKeyRequest, type KeyInfo, type AuditEntry,
  type ClockResponse, type HealthResponse, type AuthorityKeyResponse,
} from '../licensing';
import type { z } from 'zod';
import { certificateError } from './tls-trust';

export const DEFAULT_AUTHORITY_URL = 'http://127.0.0.1:8470';

export interface AuthorityClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8470 or https://authority.lab:8470 */
  url: string;
  /** Admin token, for key management and the sim clock. */
  adminToken?: string;
  /** Extra CA certificate(s) (PEM) to trust for https, e.g. a self-signed authority. */
  ca?: string | Buffer;
  /** The option that gives `ca`, named when a certificate is not trusted (default --ca). */
  caOption?: string;
  timeoutMs?: number;
  /** Reuse connections between calls (the caller must call close()). */
  keepAlive?: boolean;
}

/** Largest response body the client accepts. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class AuthorityClient {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(private readonly opts: AuthorityClientOptions) {
    try {
      this.base = new URL(opts.url);
    } catch {
      throw new VactError('INVALID_CONFIG', `the authority URL "${opts.url}" is not a URL (e.g. http://127.0.0.1:8470)`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new VactError('INVALID_CONFIG', `the authority URL must start with http:// or https://, not "${opts.url}"`);
    }
    this.agent = this.base.protocol === 'https:'
      ? new https.Agent({ keepAlive: opts.keepAlive ?? false, ...(opts.ca ? { ca: opts.ca } : {}) })
      : new http.Agent({ keepAlive: opts.keepAlive ?? false });
  }

  /** Releases pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  health(): Promise<HealthResponse> { return this.call('GET', AuthorityPaths.health, HealthResponseSchema); }
  /** The authority's root public key (base64 raw Ed25519). */
  authorityKey(): Promise<AuthorityKeyResponse> { return this.call('GET', AuthorityPaths.authorityKey, AuthorityKeyResponseSchema); }
  /** Activates a MAK; `signal` aborts the request (the agent's shutdown). */
  activateMak(req: MakActivationRequest, signal?: AbortSignal): Promise<MakActivationResponse> { return this.call('POST', AuthorityPaths.activateMak, MakActivationResponseSchema, req, false, signal); }
  /** Activates a KMS host; `signal` aborts the request. */
  activateKmsHost(req: KmsHostActivationRequest, signal?: AbortSignal): Promise<KmsHostActivationResponse> { return this.call('POST', AuthorityPaths.activateKmsHost, KmsHostActivationResponseSchema, req, false, signal); }
  /** An installation ID in, a confirmation ID out; `catalogueDigest`: the catalogue of the machine that showed it. */
  confirmOffline(installationId: string, catalogueDigest?: string): Promise<OfflineConfirmResponse> {
    return this.call('POST', AuthorityPaths.offlineConfirm, OfflineConfirmResponseSchema, { installationId, ...(catalogueDigest ? { catalogueDigest } : {}) });
  }
  /** A batch of installation IDs; `catalogueDigests[i]` (or null) goes with installationIds[i]. */
  confirmOfflineBatch(installationIds: string[], catalogueDigests?: (string | null)[]): Promise<OfflineBatchResponse> {
    const digests = catalogueDigests?.some((d) => d !== null) ? { catalogueDigests } : {};
    return this.call('POST', AuthorityPaths.offlineConfirmBatch, OfflineBatchResponseSchema, { installationIds, ...digests });
  }
  issueKey(req: IssueKeyRequest): Promise<KeyInfo> { return this.call('POST', AuthorityPaths.keys, KeyInfoSchema, req, true); }
  keyInfo(key: string): Promise<KeyInfo> { return this.call('GET', AuthorityPaths.key(key), KeyInfoSchema, undefined, true); }
  async listKeys(): Promise<KeyInfo[]> { return (await this.call('GET', AuthorityPaths.keys, KeyListResponseSchema, undefined, true)).keys; }
  revokeKey(key: string): Promise<KeyInfo> { return this.call('POST', AuthorityPaths.keyRevoke(key), KeyInfoSchema, {}, true); }
  async auditTrail(limit = 100): Promise<AuditEntry[]> { return (await this.call('GET', `${AuthorityPaths.audit}?limit=${limit}`, AuditResponseSchema, undefined, true)).entries; }
  clock(): Promise<ClockResponse> { return this.call('GET', AuthorityPaths.clock, ClockResponseSchema); }
  /** Moves a `--clock sim` authority forward by a duration such as '7d'. */
  advanceClock(by: string): Promise<ClockResponse> { return this.call('POST', AuthorityPaths.clockAdvance, ClockResponseSchema, { by }, true); }

  private async call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown, admin = false, signal?: AbortSignal): Promise<z.infer<S>> {
    if (admin && !this.opts.adminToken) throw new VactError('UNAUTHORIZED', 'this operation needs the admin token (--dir D or --token-file FILE)');
    const { status, text } = await this.request(method, path, body, admin ? this.opts.adminToken : undefined, signal);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new VactError('UNREACHABLE', `${this.base.origin} answered HTTP ${status} with a body that is not JSON; is it a vact authority?`);
    }
    if (status < 200 || status >= 300) {
      const e = ApiErrorBodySchema.safeParse(json);
      if (e.success && isErrorCodeName(e.data.error.code)) {
        const err = new VactError(e.data.error.code, undefined, e.data.error.details);
        // Keep the server's precise message (it names what was wrong).
        err.message = e.data.error.message;
        throw err;
      }
      throw new VactError('UNREACHABLE', `${this.base.origin} answered HTTP ${status} without a vact error body`);
    }
    const r = schema.safeParse(json);
    if (!r.success) throw new VactError('VERSION_MISMATCH', `unexpected response from ${path}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return r.data;
  }

  private request(method: string, path: string, body: unknown, token: string | undefined, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const url = new URL(path, this.base);
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, {
        method,
        agent: this.agent,
        ...(signal ? { signal } : {}),
        timeout: this.opts.timeoutMs ?? 30_000,
        headers: {
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new VactError('UNREACHABLE', `the response from ${url.origin} is larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new VactError('UNREACHABLE', `${url.origin} did not answer within ${this.opts.timeoutMs ?? 30_000} ms`)));
      req.on('error', (err) => {
        if (signal?.aborted) {
          reject(new VactError('UNREACHABLE', `the request to ${url.origin} was cancelled (the agent is stopping)`));
          return;
        }
        if (err instanceof VactError) {
          reject(err);
          return;
        }
        const untrusted = certificateError(err, url.origin, this.opts.caOption);
        if (untrusted) {
          reject(untrusted);
          return;
        }
        reject(new VactError('UNREACHABLE', `cannot reach the authority at ${url.origin} (${(err as NodeJS.ErrnoException).code ?? err.message})`));
      });
      req.end(payload);
    });
  }
}
