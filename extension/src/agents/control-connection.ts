// The one place the extension imports the control API client from (`@vact/shared/node`), and the
// narrow interface the rest of the extension uses, so tests can put a fake in its place.
import { ControlClient, ControlCallError, type ControlClientOptions } from '@vact/shared/node';
import type { ControlMethodName, ControlNotification, ControlParamsInput, ControlResult, NotificationTopic } from '@vact/shared';

export { ControlCallError };

/** What the extension needs of a control API connection (a fake implements it in unit tests). */
export interface RpcConnection {
  readonly role: 'user' | 'admin';
  call<M extends ControlMethodName>(method: M, params?: ControlParamsInput<M>): Promise<ControlResult<M>>;
  subscribe(topics: NotificationTopic[]): Promise<unknown>;
  onNotification(listener: (n: ControlNotification) => void): { dispose(): void };
  /** Called once when the socket closes, whoever closed it. */
  onClose(listener: () => void): void;
  close(): Promise<void>;
}

export type Connector = (options: ControlClientOptions) => Promise<RpcConnection>;

/** Connects with the real client. */
export const connectControl: Connector = async (options) => {
  const client = await ControlClient.connect(options);
  // The client has no close event yet; its socket has. Kept here so the workaround has one home.
  const ws = (client as unknown as { ws: { once(e: 'close', l: () => void): void; readyState: number } }).ws;
  return {
    role: client.handshake.role,
    call: (method, params) => client.call(method, params),
    subscribe: (topics) => client.subscribe(topics),
    onNotification: (l) => client.onNotification(l),
    onClose: (l) => {
      if (ws.readyState === 3) l();
      else ws.once('close', l);
    },
    close: () => client.close(),
  };
};
