/**
 * The model catalogue (models/catalogue.json): embedded tiny models first, then 1B-class models
 * that need a download or a server. Pure data + lookups; loaders live in engines/.
 */
import catalogueJson from '../../models/catalogue.json';

export interface CatalogueEntry {
  id: string;
  name: string;
  family: string;
  backend: 'ort' | 'webllm' | 'openai';
  /** Shipped in models/ and usable offline. */
  embedded: boolean;
  /** Folder under models/ for embedded models. */
  path?: string;
  params: number;
  sizeMB: number;
  notes: string;
}

/** All catalogue entries, embedded first. */
export function catalogue(): CatalogueEntry[] {
  const models = (catalogueJson as { models: CatalogueEntry[] }).models;
  return [...models].sort((a, b) => Number(b.embedded) - Number(a.embedded));
}

/** Entry by id, or an error naming the valid ids. */
export function findModel(id: string): CatalogueEntry {
  const m = catalogue().find((e) => e.id === id);
  if (!m) throw new Error(`unknown model "${id}": run \`lab models\` to list them (embedded: ${catalogue().filter((e) => e.embedded).map((e) => e.id).join(', ')})`);
  return m;
}
