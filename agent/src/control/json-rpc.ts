// JSON-RPC 2.0 envelopes and error objects for the control API. Application errors use the
// error catalogue number as the JSON-RPC code and carry {code, number, message, hint} in data.
import { ErrorCodes, VactError, type ErrorCodeName, type ErrorData } from '@vact/shared/licensing';

export const RpcErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
} as const;

export type RpcId = string | number | null;

export interface RpcRequest {
  jsonrpc: '2.0';
  id?: RpcId;
  method: string;
  params?: unknown;
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data: ErrorData;
}

export type RpcResponse =
  | { jsonrpc: '2.0'; id: RpcId; result: unknown }
  | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject };

/** Catalogue error data for `code`, with an optional precise detail. */
export function errorData(code: ErrorCodeName, detail?: string, details?: Record<string, unknown>): ErrorData {
  return new VactError(code, detail, details).toJSON();
}

/** A JSON-RPC error object: `rpcCode` (standard or application) with catalogue data. */
export function rpcError(rpcCode: number, data: ErrorData): RpcErrorObject {
  return { code: rpcCode, message: data.message, data };
}

/** Maps anything thrown by a service to a JSON-RPC error; unknown throwables become INTERNAL without leaking internals. */
export function errorFromThrown(err: unknown): RpcErrorObject {
  if (err instanceof VactError) {
    const data = err.toJSON();
    return rpcError(data.number, data);
  }
  if (isErrorLike(err) && typeof err.code === 'string' && err.code in ErrorCodes) {
    const info = ErrorCodes[err.code as ErrorCodeName];
    return rpcError(info.number, { code: err.code, number: info.number, message: err.message, hint: info.hint });
  }
  return rpcError(RpcErrorCode.internalError, errorData('INTERNAL', 'the agent could not complete the call'));
}

function isErrorLike(v: unknown): v is { code?: unknown; message: string } {
  return typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string';
}

/** An error response. */
export function errorResponse(id: RpcId, error: RpcErrorObject): RpcResponse {
  return { jsonrpc: '2.0', id, error };
}

/** A success response. */
export function resultResponse(id: RpcId, result: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, result };
}

/** A valid JSON-RPC id, or undefined when `v` is not one. */
export function asRpcId(v: unknown): RpcId | undefined {
  if (v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
  return undefined;
}
