/// <reference lib="webworker" />
/**
 * Test worker: the real training worker (workers/train.worker.ts, imported unchanged) plus faults
 * that a test can deliver by message, so the failure paths run on the real trainer, the real GPU
 * device and the real IndexedDB:
 * - `test:lose-device`: destroys the GPUDevice that jax-js requested (captured by wrapping
 *   GPUAdapter.prototype.requestDevice before the trainer starts); its `lost` promise resolves as
 *   after a driver reset.
 * - `test:hold-next-put`: the next IDBObjectStore.put is issued and its transaction is then kept
 *   open (a chain of reads), and the page is told `test:put-held`: whatever kills the worker or
 *   closes the tab after that lands in the middle of a save.
 * - `test:quota-on-next-put`: the next put's transaction aborts as Chromium aborts a commit over
 *   the site's quota (an `abort` event, `error` a QuotaExceededError). The DevTools protocol's
 *   Storage.overrideQuotaForOrigin would give a real one, but it has no effect in the headless
 *   Chromium 156 used here (measured: the quota stayed at 10 GB and writes went through).
 * Any other message goes to the real worker.
 */
import '../../workers/train.worker.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let device: GPUDevice | null = null;

if (typeof GPUAdapter !== 'undefined') {
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, desc?: GPUDeviceDescriptor) {
    device = await request.call(this, desc);
    return device;
  };
}

let holdNextPut = false;
let quotaOnNextPut = false;
const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
  const r = put.call(this, value, key);
  if (quotaOnNextPut) {
    quotaOnNextPut = false;
    const tx = this.transaction;
    const error = new DOMException('The transaction was aborted because it exceeded the quota.', 'QuotaExceededError');
    Object.defineProperty(tx, 'error', { get: () => error });
    tx.abort();
  }
  if (holdNextPut) {
    holdNextPut = false;
    // Reads issued from each other's success keep the transaction from committing.
    const keepOpen = () => (this.get('test:never').onsuccess = keepOpen);
    keepOpen();
    scope.postMessage({ type: 'test:put-held' });
  }
  return r;
};

const real = scope.onmessage;
scope.onmessage = (ev: MessageEvent<{ type: string }>) => {
  if (ev.data.type === 'test:lose-device') {
    if (!device) scope.postMessage({ type: 'test:no-device' });
    device?.destroy();
  } else if (ev.data.type === 'test:hold-next-put') holdNextPut = true;
  else if (ev.data.type === 'test:quota-on-next-put') quotaOnNextPut = true;
  else real?.call(scope, ev);
};
