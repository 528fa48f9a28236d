// One control connection's JSON-RPC session: envelope checks, the handshake gate, roles,
// params/result validation and subscriptions. Transport-free so it can be unit tested.
import {
  CONTROL_PROTOCOL_VERSION,
  ControlMethods,
  ControlNotifications,
  isControlMethod,
  roleAllows,
  type AgentService,
  type ControlMethodName,
  type ControlNotification,
  type ControlRole,
  type NotificationTopic,
} from '@vact/shared/licensing';
import type { z } from 'zod';
import { createHandlerRegistry, dispatch, type DispatchedMethod, type HandlerContext, type HandlerRegistry } from './registry';
import {
  RpcErrorCode,
  asRpcId,
  errorData,
  errorFromThrown,
  errorResponse,
  resultResponse,
  rpcError,
  type RpcId,
  type RpcResponse,
} from './json-rpc';

/** What a session needs from its server. */
export interface SessionHooks {
  service: AgentService;
  /** Handlers per method (default: the registry over `service`); servers build it once for all sessions. */
  registry?: HandlerRegistry;
  remoteAddress: string;
  /** Role proven by the Authorization header of the upgrade, if any. */
  headerRole: ControlRole | null;
  /** Role for a token, or null when it matches neither. */
  authenticate(token: string): ControlRole | null;
  /** Records a failed authentication from this peer. */
  recordAuthFailure(): void;
  /** True while this peer is locked out after too many failures. */
  isRateLimited(): boolean;
  /** Internal problems worth a log line (invalid service results, thrown non-VactErrors). */
  log?(message: string, data?: Record<string, unknown>): void;
  maxBatch?: number;
  maxInFlight?: number;
}

/** What to send back for one incoming message, and whether to close afterwards. */
export interface SessionOutput {
  reply: RpcResponse | RpcResponse[] | null;
  close?: { code: number; reason: string };
}

/** WebSocket close code for policy violations (auth). */
export const CLOSE_POLICY = 1008;

/** The per-connection JSON-RPC state machine. */
export class ControlSession {
  private role: ControlRole | null = null;
  private readonly topics = new Set<NotificationTopic>();
  private inFlight = 0;
  private closing: SessionOutput['close'] | undefined;
  private readonly registry: HandlerRegistry;

  constructor(private readonly hooks: SessionHooks) {
    this.registry = hooks.registry ?? createHandlerRegistry(hooks.service);
  }

  /** The authenticated role, or null before a successful handshake. */
  get authenticatedRole(): ControlRole | null {
    return this.role;
  }

  /** Handles one text message; never throws. */
  async handleMessage(text: string): Promise<SessionOutput> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { reply: errorResponse(null, rpcError(RpcErrorCode.parseError, errorData('INVALID_REQUEST', 'the message is not valid JSON'))) };
    }
    if (Array.isArray(parsed)) return this.handleBatch(parsed);
    const reply = await this.handleOne(parsed, false);
    return this.output(reply);
  }

  /** Whether this connection subscribed to the topic of `n`. */
  wants(n: ControlNotification): boolean {
    if (this.role === null) return false;
    const entry = ControlNotifications[n.method];
    return entry !== undefined && this.topics.has(entry.topic);
  }

  private output(reply: RpcResponse | RpcResponse[] | null): SessionOutput {
    const close = this.closing;
    return close ? { reply, close } : { reply };
  }

  private async handleBatch(items: unknown[]): Promise<SessionOutput> {
    const invalid = (detail: string, code: 'INVALID_REQUEST' | 'PAYLOAD_TOO_LARGE' | 'UNAUTHORIZED' = 'INVALID_REQUEST') =>
      this.output(errorResponse(null, rpcError(code === 'UNAUTHORIZED' ? 6000 : RpcErrorCode.invalidRequest, errorData(code, detail))));
    if (items.length === 0) return invalid('an empty batch');
    const maxBatch = this.hooks.maxBatch ?? 20;
    if (items.length > maxBatch) return invalid(`a batch holds at most ${maxBatch} calls`, 'PAYLOAD_TOO_LARGE');
    if (this.role === null) {
      this.closing = { code: CLOSE_POLICY, reason: 'handshake required' };
      // A batch of notifications only gets no reply (JSON-RPC 2.0 §6), even when refused.
      const allNotifications = items.every((i) => typeof i === 'object' && i !== null && !Array.isArray(i) && !Object.prototype.hasOwnProperty.call(i, 'id'));
      if (allNotifications) return this.output(null);
      return invalid('the first call must be `handshake`, sent alone', 'UNAUTHORIZED');
    }
    const replies = await Promise.all(items.map((item) => this.handleOne(item, true)));
    const sent = replies.filter((r): r is RpcResponse => r !== null);
    return this.output(sent.length > 0 ? sent : null);
  }

  private async handleOne(msg: unknown, inBatch: boolean): Promise<RpcResponse | null> {
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      return errorResponse(null, rpcError(RpcErrorCode.invalidRequest, errorData('INVALID_REQUEST', 'a request must be a JSON object')));
    }
    const req = msg as Record<string, unknown>;
    const hasId = Object.prototype.hasOwnProperty.call(req, 'id');
    const id = hasId ? asRpcId(req.id) : null;
    if (req.jsonrpc !== '2.0' || typeof req.method !== 'string' || (hasId && id === undefined)) {
      return errorResponse(id ?? null, rpcError(RpcErrorCode.invalidRequest, errorData('INVALID_REQUEST', 'expected {"jsonrpc":"2.0","method":string,"id"?:string|number|null,"params"?:object}')));
    }
    const rid: RpcId = id ?? null;
    const respond = (r: RpcResponse): RpcResponse | null => (hasId ? r : null);
    const method = req.method;

    if (method === 'handshake') {
      if (inBatch) return respond(errorResponse(rid, rpcError(RpcErrorCode.invalidRequest, errorData('INVALID_REQUEST', '`handshake` must be sent alone, not in a batch'))));
      return respond(await this.handshake(rid, req.params));
    }
    if (this.role === null) {
      this.closing = { code: CLOSE_POLICY, reason: 'handshake required' };
      // A notification (no id) never gets a reply (JSON-RPC 2.0 §4.1), not even this refusal.
      return respond(errorResponse(rid, rpcError(6000, errorData('UNAUTHORIZED', 'the first call must be `handshake`'))));
    }
    if (!isControlMethod(method) || method === 'handshake') {
      return respond(errorResponse(rid, rpcError(RpcErrorCode.methodNotFound, errorData('NOT_FOUND', `no method "${method.slice(0, 64)}"`))));
    }
    if (!roleAllows(this.role, method)) {
      return respond(errorResponse(rid, rpcError(6001, errorData('NEEDS_ADMIN', `"${method}" needs the admin token; this connection has the user token`))));
    }
    const params = this.parseParams(method, req.params);
    if (!params.ok) return respond(errorResponse(rid, params.error));
    const maxInFlight = this.hooks.maxInFlight ?? 32;
    if (this.inFlight >= maxInFlight) {
      return respond(errorResponse(rid, rpcError(6002, errorData('RATE_LIMITED', `at most ${maxInFlight} calls may be pending on one connection`))));
    }
    this.inFlight++;
    try {
      return respond(resultResponse(rid, await this.invoke(method, params.value)));
    } catch (err) {
      if (!(err instanceof Error && 'code' in err)) this.hooks.log?.('control call failed', { method, error: String(err) });
      return respond(errorResponse(rid, errorFromThrown(err)));
    } finally {
      this.inFlight--;
    }
  }

  private parseParams(method: ControlMethodName, raw: unknown): { ok: true; value: unknown } | { ok: false; error: ReturnType<typeof rpcError> } {
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
      return { ok: false, error: rpcError(RpcErrorCode.invalidParams, errorData('INVALID_REQUEST', `params of "${method}" must be an object (by name)`)) };
    }
    const schema = ControlMethods[method].params as z.ZodType;
    const res = schema.safeParse(raw ?? {});
    if (!res.success) {
      const detail = res.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`).join('; ');
      return { ok: false, error: rpcError(RpcErrorCode.invalidParams, errorData('INVALID_REQUEST', `invalid params for "${method}": ${detail}`)) };
    }
    return { ok: true, value: res.data };
  }

  private ctx(): HandlerContext {
    return { role: this.role ?? 'user', remoteAddress: this.hooks.remoteAddress, topics: this.topics };
  }

  private async invoke(method: DispatchedMethod, params: unknown): Promise<unknown> {
    const entry = ControlMethods[method];
    // `params` was parsed with this method's own schema just before, so the cast is the schema's type.
    const result: unknown = await dispatch(this.registry, method, params as never, this.ctx());
    const checked = (entry.result as z.ZodType).safeParse(result);
    if (!checked.success) {
      this.hooks.log?.('the agent produced a result that does not match the control API schema', { method, issues: checked.error.issues.slice(0, 5) });
      throw new Error('invalid service result');
    }
    return checked.data;
  }

  private async handshake(id: RpcId, raw: unknown): Promise<RpcResponse> {
    if (this.role !== null) return errorResponse(id, rpcError(RpcErrorCode.invalidRequest, errorData('INVALID_REQUEST', 'the handshake was already done on this connection')));
    const params = this.parseParams('handshake', raw);
    if (!params.ok) return errorResponse(id, params.error);
    const p = params.value as { protocol: number; token?: string; client?: string };
    let role: ControlRole | null;
    if (p.token !== undefined) role = this.hooks.authenticate(p.token);
    else role = this.hooks.headerRole;
    // The lockout only refuses wrong tokens: every local client shares 127.0.0.1, so locking out
    // the address would let anyone deny the admin. Guessing is no way in: tokens are 256 random bits.
    if (role === null && this.hooks.isRateLimited()) {
      this.closing = { code: CLOSE_POLICY, reason: 'rate limited' };
      return errorResponse(id, rpcError(6002, errorData('RATE_LIMITED', 'too many failed authentications from this address')));
    }
    if (role === null) {
      this.hooks.recordAuthFailure();
      this.closing = { code: CLOSE_POLICY, reason: 'unauthorized' };
      return errorResponse(id, rpcError(6000, errorData('UNAUTHORIZED', p.token === undefined ? 'no bearer token (Authorization header or handshake token)' : 'the token matches neither the user nor the admin token')));
    }
    if (p.protocol !== CONTROL_PROTOCOL_VERSION) {
      return errorResponse(id, rpcError(6005, errorData('VERSION_MISMATCH', `the client speaks control protocol ${p.protocol}, this agent speaks ${CONTROL_PROTOCOL_VERSION}`, { supported: [CONTROL_PROTOCOL_VERSION] })));
    }
    try {
      const caller = { role, remoteAddress: this.hooks.remoteAddress };
      const agent = await this.hooks.service.handshake(p, caller);
      // The agent's clock, not the wall clock: under --clock sim the two differ by design.
      const { now } = await this.hooks.service.clockNow({}, caller);
      const result = { protocol: CONTROL_PROTOCOL_VERSION, role, serverTime: now, agent };
      const checked = ControlMethods.handshake.result.safeParse(result);
      if (!checked.success) {
        this.hooks.log?.('the agent produced an invalid handshake result', { issues: checked.error.issues.slice(0, 5) });
        return errorResponse(id, errorFromThrown(new Error('invalid handshake result')));
      }
      this.role = role;
      return resultResponse(id, checked.data);
    } catch (err) {
      return errorResponse(id, errorFromThrown(err));
    }
  }
}
