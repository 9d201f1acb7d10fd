import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface WebAsset {
  body: Buffer;
  gzip: Buffer;
  contentType: string;
  /** Vite names assets by content hash: they never change, so browsers keep them. */
  immutable: boolean;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The built single-page app, read once at boot and gzipped once: a few small files, served from memory. */
export function loadWebAssets(dir: string): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  if (!existsSync(dir)) return assets;
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const type = types[extname(name)];
      if (!type) continue;
      const body = readFileSync(path);
      const key = `/${relative(dir, path).split('\\').join('/')}`;
      assets.set(key, { body, gzip: gzipSync(body, { level: 9 }), contentType: type, immutable: key.startsWith('/assets/') });
    }
  };
  walk(dir);
  return assets;
}
