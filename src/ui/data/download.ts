/** Save text as a file from the browser (a temporary object URL and an <a download> click). */
export function downloadText(filename: string, text: string | Uint8Array, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([text as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
