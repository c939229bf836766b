// What every mini-program runtime (and Taro, uni-app, Node) has besides `wx`; the SDK uses
// nothing else of the global scope.
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
