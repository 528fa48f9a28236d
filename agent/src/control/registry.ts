// Typed JSON-RPC dispatch: one handler per method of the control API's method table,
// keyed by method name. The handler's params and result types come from the table's zod schemas,
// so a missing, extra or misspelt handler, or one returning the wrong shape, does not compile.
import {
  ControlMethods,
  NotificationTopicSchema,
  type AgentService,
  type AgentServiceMethod,
  type CallerContext,
  type ControlMethodName,
  type ControlParams,
  type ControlResult,
  type NotificationTopic,
} from '@vact/shared/licensing';

/** What a handler knows about its call: the caller, and the connection's subscriptions. */
export interface HandlerContext extends CallerContext {
  /** Topics this connection is subscribed to; subscribe/unsubscribe change it. */
  readonly topics: Set<NotificationTopic>;
}

/** Methods the registry serves: every method but `handshake`, which the session does itself. */
export type DispatchedMethod = Exclude<ControlMethodName, 'handshake'>;

export type ControlHandler<M extends DispatchedMethod> = (params: ControlParams<M>, ctx: HandlerContext) => Promise<ControlResult<M>>;

/** Exactly one handler per dispatched method. */
export type HandlerRegistry = { readonly [M in DispatchedMethod]: ControlHandler<M> };

// The table names the AgentService method behind each RPC method; this fails to compile when a
// name there is not an AgentService method (e.g. `service: 'keyInstal'`).
/** true when every `service` of `Table` names an AgentService method (or is null). */
export type ServiceNamesValid<Table extends Record<string, { service: string | null }>> = [Exclude<Table[keyof Table]['service'], AgentServiceMethod | null>] extends [never] ? true : false;
type Assert<T extends true> = T;
export type TableNamesAreServiceMethods = Assert<ServiceNamesValid<typeof ControlMethods>>;

const ALL_TOPICS: readonly NotificationTopic[] = NotificationTopicSchema.options;

function changeTopics(ctx: HandlerContext, topics: readonly NotificationTopic[] | undefined, add: boolean): Promise<ControlResult<'subscribe'>> {
  for (const t of topics ?? ALL_TOPICS) {
    if (add) ctx.topics.add(t);
    else ctx.topics.delete(t);
  }
  return Promise.resolve({ topics: [...ctx.topics] });
}

/** The registry over the daemon's AgentService (the seam the daemon implements). */
export function createHandlerRegistry(service: AgentService): HandlerRegistry {
  // `caller` strips the connection state so the service sees only the CallerContext.
  const caller = (ctx: HandlerContext): CallerContext => (ctx.remoteAddress === undefined ? { role: ctx.role } : { role: ctx.role, remoteAddress: ctx.remoteAddress });
  return {
    status: (p, c) => service.status(p, caller(c)),
    expiry: (p, c) => service.expiry(p, caller(c)),
    activate: (p, c) => service.activate(p, caller(c)),
    'key.install': (p, c) => service.keyInstall(p, caller(c)),
    'key.uninstall': (p, c) => service.keyUninstall(p, caller(c)),
    rearm: (p, c) => service.rearm(p, caller(c)),
    'offline.iid': (p, c) => service.offlineIid(p, caller(c)),
    'offline.confirm': (p, c) => service.offlineConfirm(p, caller(c)),
    'events.query': (p, c) => service.eventsQuery(p, caller(c)),
    'hardware.rescan': (p, c) => service.hardwareRescan(p, caller(c)),
    'clock.now': (p, c) => service.clockNow(p, caller(c)),
    'clock.advance': (p, c) => service.clockAdvance(p, caller(c)),
    'kms.set': (p, c) => service.kmsSet(p, caller(c)),
    'kms.clear': (p, c) => service.kmsClear(p, caller(c)),
    'kms.intervals': (p, c) => service.kmsIntervals(p, caller(c)),
    'kms.port': (p, c) => service.kmsPort(p, caller(c)),
    'kms.domain.add': (p, c) => service.kmsDomainAdd(p, caller(c)),
    'kms.domain.remove': (p, c) => service.kmsDomainRemove(p, caller(c)),
    'kms.domain.list': (p, c) => service.kmsDomainList(p, caller(c)),
    'kms.show': (p, c) => service.kmsShow(p, caller(c)),
    'host.status': (p, c) => service.hostStatus(p, caller(c)),
    'host.clients': (p, c) => service.hostClients(p, caller(c)),
    subscribe: (p, c) => changeTopics(c, p.topics, true),
    unsubscribe: (p, c) => changeTopics(c, p.topics, false),
  };
}

/** Calls the handler of `method`; the one place where the name is narrowed to its handler. */
export function dispatch<M extends DispatchedMethod>(registry: HandlerRegistry, method: M, params: ControlParams<M>, ctx: HandlerContext): Promise<ControlResult<M>> {
  const handler = registry[method] as ControlHandler<M>;
  return handler(params, ctx);
}
