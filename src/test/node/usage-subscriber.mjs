// Drives the Chrysalis Forge TCP event-bus bridge from outside Java, with raw frames (4-byte
// big-endian length + UTF-8 JSON, the Vert.x TCP bridge protocol) and Node's own `net` module,
// so it needs nothing from npm. Prints one JSON line per observation for the Java test to read:
//   {"event":"ready"}                      subscribed to forge.usage.recorded (after the pong)
//   {"event":"usage","body":{...}}         a usage event arrived
//   {"event":"err","step":..., "message"}  the bridge refused something
// Every frame carries the bridge token (headers.token) from the FORGE_BRIDGE_TOKEN environment variable.
// Usage: FORGE_BRIDGE_TOKEN=... node usage-subscriber.mjs <port> [host]
import net from 'node:net';

const port = Number(process.argv[2]);
const host = process.argv[3] || '127.0.0.1';
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const socket = net.connect(port, host);
const token = process.env.FORGE_BRIDGE_TOKEN || '';
const send = (frame) => {
  if (frame.type !== 'ping') {
    frame = { ...frame, headers: { ...(frame.headers || {}), token } };
  }
  const json = Buffer.from(JSON.stringify(frame), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length, 0);
  socket.write(Buffer.concat([len, json]));
};

let pending = Buffer.alloc(0);
let errors = 0;
let step = 'register-usage';
const timer = setTimeout(() => { out({ event: 'timeout' }); process.exit(1); }, 30000);

socket.on('connect', () => {
  send({ type: 'register', address: 'forge.usage.recorded' });
  send({ type: 'ping' });
});

socket.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4) {
    const len = pending.readUInt32BE(0);
    if (pending.length < 4 + len) break;
    const frame = JSON.parse(pending.subarray(4, 4 + len).toString('utf8'));
    pending = pending.subarray(4 + len);
    handle(frame);
  }
});

function handle(frame) {
  if (frame.type === 'pong' && step === 'register-usage') {
    step = 'wait-usage';
    out({ event: 'ready' });
  } else if (frame.type === 'message' && frame.address === 'forge.usage.recorded') {
    out({ event: 'usage', body: frame.body });
    // now the forbidden things: subscribe to an address not outbound-permitted, send to the vault
    step = 'register-forbidden';
    send({ type: 'register', address: 'forge.auth.key-revoked' });
    send({ type: 'send', address: 'forge.vault', body: { user_id: 'usr_x', provider: 'openai' }, replyAddress: 'r1' });
  } else if (frame.type === 'err') {
    out({ event: 'err', message: frame.message });
    errors += 1;
    if (errors === 2) {
      clearTimeout(timer);
      socket.end();
      process.exit(0);
    }
  }
}

socket.on('error', (e) => { out({ event: 'socket-error', message: String(e.message) }); process.exit(2); });
