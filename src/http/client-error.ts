import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';

/**
 * Requests node:http refuses before any app code runs (an unknown method, a malformed or oversized
 * header, a bad chunk) get the same JSON error shape as every other error, with a request id,
 * instead of node's bare `400 Bad Request` without a body. The status follows node's own choice.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset peer cannot read an answer; a socket that already sent one must not get a second.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const requestId = randomUUID();
  const body = JSON.stringify({
    error: status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'bad_request',
    message: 'the request could not be parsed as HTTP/1.1',
    request_id: requestId,
  });
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-ID: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
