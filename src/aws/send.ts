/**
 * `client.send(command)` with an abort signal, for clients made with the SDK's `cacheMiddleware` (their
 * middleware stack is resolved once per command type instead of on every call, about a fifth of the
 * SDK's CPU per call). Such a client only uses that cache for a send() without options, so the signal
 * is not passed but raced: the caller stops waiting as soon as it is aborted, and the request (only ever
 * a read here) ends on its own. Any other client gets the signal as usual.
 */
export function sendAbortable<T>(client: { config: { cacheMiddleware?: boolean } }, signal: AbortSignal | undefined, send: (options?: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
  if (!signal) return send();
  if (client.config.cacheMiddleware !== true) return send({ abortSignal: signal });
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    send()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
