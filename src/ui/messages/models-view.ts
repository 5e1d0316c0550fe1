/** Strings of the Models view (embedded models, adapter report, playground). */
export const models = {
  adapter: 'Adapter',
  checking: 'checking…',
  notAvailable: 'not available',
  device: 'Device',
  wasm: 'wasm (CPU)',
  embedded: 'Embedded models (offline)',
  model: 'Model',
  size: 'Download',
  status: 'Status',
  load: 'Load',
  unload: 'Unload',
  warmingUp: 'warming up…',
  loadedOn: (device: string) => `ready (${device})`,
  loadFailed: (id: string, device: string, why: string) => `Could not load ${id} on ${device}: ${why}`,
  playground: 'Playground',
};
