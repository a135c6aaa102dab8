/**
 * A raw `node:net` HTTP/1.1 test server whose behaviour per request is scripted by the test:
 * close with RST, close mid-response, lie in its Keep-Alive hint, never close...
 */
import * as net from 'node:net';

export interface RawServer {
  readonly port: number;
  /** Requests seen, over all connections. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** `onRequest(socket, indexOnConnection, requestHead)` runs once per complete request head. */
export function startRawServer(
  onRequest: (socket: net.Socket, indexOnConnection: number, head: string) => void,
): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const requests: string[] = [];
  const server = net.createServer({ allowHalfOpen: false }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    let index = 0;
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let guard = 0; guard < 100; guard++) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) break;
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        requests.push(head);
        onRequest(socket, index++, head);
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        requests,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export function okResponse(extraHeaders = '', body = 'ok\n'): string {
  return `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n${body}`;
}
