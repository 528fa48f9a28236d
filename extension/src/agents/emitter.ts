// A tiny typed event emitter (vscode.EventEmitter without vscode).

export interface Disposable {
  dispose(): void;
}

export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => void>();

  /** Subscribes; the returned disposable unsubscribes. */
  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
