// The WHATWG Encoding API exists on every platform the core runs on (Node, browsers, webviews);
// declared here because the core compiles without DOM or Node types.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
/** HTML structured clone, in Node since 17 and in every browser. */
declare function structuredClone<T>(value: T): T;
