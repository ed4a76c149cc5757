/**
 * Sink for the Collector capacity benchmark: stands in for Tempo (OTLP gRPC) and for Loki and
 * Prometheus (OTLP/HTTP) behind the Collector under test. It answers every export with success and
 * an empty response (a valid, empty Export*ServiceResponse) without decoding anything, so that
 * the sink, which shares a core with the load generator, costs next to nothing per item.
 *
 *   node scripts/bench/collector-sink.ts GRPC_PORT HTTP_PORT
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';

const [grpcPort, httpPort] = process.argv.slice(2).map(Number);

// gRPC over cleartext HTTP/2: a length-prefixed empty message (flag 0, length 0), then status 0.
const grpc = createHttp2Server();
grpc.on('stream', (stream) => {
  stream.on('data', () => {});
  stream.on('end', () => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(Buffer.alloc(5));
  });
});
grpc.listen(grpcPort, '127.0.0.1');

// OTLP/HTTP: 200 with an empty protobuf body; any GET is the readiness probe.
const http = createHttpServer((request, response) => {
  request.on('data', () => {});
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
    response.end();
  });
});
http.keepAliveTimeout = 60_000;
http.listen(httpPort, '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
