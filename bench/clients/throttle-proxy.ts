/**
 * A TCP proxy in its own process that paces both directions to a given
 * bandwidth, to measure sync over a slow link (a venue's Wi-Fi) on one
 * machine. Prints `{"port": …}`; runs until its stdin closes.
 * Usage: throttle-proxy <target host:port> <bytes per second>
 */
import net from 'node:net';

const [target = '', rateText = '2500000'] = process.argv.slice(2);
const [host = '127.0.0.1', portText = '0'] = target.split(':');
const bytesPerMs = Number(rateText) / 1000;

/** Forwards `from` to `to` no faster than the rate: each chunk waits until the link would have carried the previous ones. */
function pace(from: net.Socket, to: net.Socket): void {
  let freeAt = 0;
  from.on('data', (chunk: Buffer) => {
    const now = performance.now();
    freeAt = Math.max(freeAt, now) + chunk.length / bytesPerMs;
    from.pause();
    setTimeout(() => {
      to.write(chunk, () => from.resume());
    }, freeAt - now);
  });
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, freeAt - performance.now())));
  from.on('error', () => to.destroy());
}

const server = net.createServer((client) => {
  const upstream = net.connect(Number(portText), host);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  pace(client, upstream);
  pace(upstream, client);
  upstream.on('close', () => client.destroy());
  client.on('close', () => upstream.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as net.AddressInfo).port })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
