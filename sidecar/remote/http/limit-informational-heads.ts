import type { Dispatcher } from 'undici';
import type { Duplex } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { DepotError } from '../../../shared/errors';

/**
 * An undici interceptor that fails a request once its server has sent more than `max` informational (1xx) heads
 * before the real answer. undici skips 1xx heads, and restarts the headers timeout at each one, so a server that
 * sends `102 Processing` forever would otherwise hold a request open forever.
 */
export function limitInformationalHeads(max: number): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => dispatch(options, new InformationalLimit(handler, max, options.origin));
}

class InformationalLimit implements Dispatcher.DispatchHandler {
  #seen = 0;

  constructor(
    readonly handler: Dispatcher.DispatchHandler,
    readonly max: number,
    readonly origin: string | URL | undefined,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode < 200 && ++this.#seen > this.max) {
      const host = this.origin === undefined ? 'The server' : new URL(this.origin).host;
      controller.abort(
        new DepotError(
          'HTTP_ERROR',
          `${host} sent more than ${this.max} informational (1xx) answers and no real one; try again later.`,
          {
            details: { host, informational: this.#seen },
          },
        ),
      );
      return;
    }
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.handler.onResponseError?.(controller, error);
  }
}
