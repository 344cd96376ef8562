// Talking to the service: the session token, our error shape, rate-limit headers, SSE streams.

const TOKEN_KEY = 'forge.session';
const listeners = new Set();

/**
 * The session lives in sessionStorage: it survives a reload of this tab, is gone when the tab
 * closes and is never sent by the browser on its own (no cookie), so there is nothing to forge
 * cross-site.
 */
export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** Called with the error when the server says the session is no longer valid. */
export function onSignedOut(listener) {
  listeners.add(listener);
}

/** The rate-limit headers of the latest answer that had them. */
export const rateLimit = {last: null};

export class ApiError extends Error {
  constructor(status, body, headers, fallback) {
    const e = body && body.error ? body.error : null;
    super(describe(status, e ? e.message : fallback, headers));
    this.status = status;
    this.code = e ? e.code : null;
    this.param = e ? e.param : null;
    this.retryAfter = headers ? headers.get('retry-after') : null;
  }
}

function describe(status, message, headers) {
  const text = message || defaultMessage(status);
  if (status === 429) {
    const wait = headers && headers.get('retry-after');
    const hint = wait && !/retry|try again/i.test(text) ? ` Try again in ${wait} s.` : '';
    return `Too many requests: ${text}${hint}`;
  }
  if (status === 402) {
    return `Quota or payment needed: ${text}`;
  }
  return text;
}

function defaultMessage(status) {
  if (status === 0) {
    return 'The server could not be reached. Check the connection and try again.';
  }
  if (status >= 500) {
    return `The server failed (${status}). Try again.`;
  }
  return `The request failed (${status}).`;
}

function remember(headers) {
  const limit = headers.get('x-ratelimit-limit');
  if (limit !== null) {
    rateLimit.last = {
      limit: Number(limit),
      remaining: Number(headers.get('x-ratelimit-remaining')),
      reset: Number(headers.get('x-ratelimit-reset')),
      policy: headers.get('ratelimit-policy'),
    };
  }
}

function request(method, path, body, extra) {
  const headers = {accept: 'application/json', ...(extra || {})};
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const token = session.token;
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  return {method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store'};
}

async function failure(res) {
  let data = null;
  try {
    data = JSON.parse(await res.text());
  } catch (ignored) {
    // not our error shape: the status says enough
  }
  const err = new ApiError(res.status, data, res.headers);
  if (res.status === 401 && session.token) {
    session.clear();
    listeners.forEach((l) => l(err));
  }
  return err;
}

/** One JSON call; throws ApiError with the server's message on anything but 2xx. */
export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, request(method, path, body));
  } catch (e) {
    throw new ApiError(0, null, null);
  }
  remember(res.headers);
  if (!res.ok) {
    throw await failure(res);
  }
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** Query string from an object, leaving out empty values. */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') {
      q.set(k, String(v));
    }
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

/**
 * A streamed chat completion: POSTs the body with stream:true and calls onDelta with each piece
 * of content as it arrives. Resolves with {usage} after [DONE]; an error event after the stream
 * began rejects with its message.
 */
export async function streamChat(body, onDelta, signal) {
  let res;
  try {
    res = await fetch('/v1/chat/completions', {...request('POST', '/v1/chat/completions', {...body, stream: true}), signal});
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, null, null);
  }
  remember(res.headers);
  if (!res.ok) {
    throw await failure(res);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let usage = null;
  for (;;) {
    const {value, done} = await reader.read();
    if (done) {
      break;
    }
    buffer += decoder.decode(value, {stream: true}).replace(/\r\n?/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (data === '[DONE]') {
        return {usage};
      }
      if (data) {
        const chunk = JSON.parse(data);
        if (chunk.error) {
          throw new ApiError(502, chunk, null);
        }
        if (chunk.usage) {
          usage = chunk.usage;
        }
        const choice = chunk.choices && chunk.choices[0];
        if (choice && choice.delta && typeof choice.delta.content === 'string') {
          onDelta(choice.delta.content);
        }
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return {usage};
}

