/** Loopback hosts: the one rule behind lab serve's CORS default and the API-key warning. */
import { describe, expect, it } from 'vitest';
import { isLoopbackOrigin } from '../../src/cli/cors.js';
import { isLoopbackHost } from '../../src/core/loopback.js';
import { keyWouldLeak } from '../../src/ui/models/server-connect.js';

describe('loopback', () => {
  it('knows this machine and nothing else', () => {
    for (const h of ['localhost', '[::1]', '127.0.0.1', '127.1.2.3']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['example.org', '10.0.0.1', '127.0.0.1.evil.example', 'localhost.example', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('drives the CORS default and the plain-http key warning alike', () => {
    expect(isLoopbackOrigin('http://127.0.0.1:5173')).toBe(true);
    expect(isLoopbackOrigin('https://evil.example')).toBe(false);
    expect(keyWouldLeak('http://127.0.0.1:8000/v1')).toBe(false);
    expect(keyWouldLeak('http://gpu-box.lan:8000/v1')).toBe(true);
    expect(keyWouldLeak('https://gpu-box.lan/v1')).toBe(false);
  });
});
