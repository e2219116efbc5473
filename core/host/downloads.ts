import { randomBytes } from 'node:crypto';

export interface DownloadFile {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

/** How long a prepared download waits to be fetched. */
const DOWNLOAD_TTL_MS = 10 * 60 * 1000;
/** Prepared downloads kept at most; the oldest is dropped first. */
const DOWNLOAD_LIMIT = 20;

/**
 * Files the browser shell hands to the browser as downloads: each under an unguessable name,
 * fetched once (behind the host's token like every other route), forgotten after a while.
 */
export class DownloadShelf {
  private readonly files = new Map<string, DownloadFile & { expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The path that serves `file` once. */
  offer(file: DownloadFile): string {
    this.forgetExpired();
    if (this.files.size >= DOWNLOAD_LIMIT) this.files.delete(this.files.keys().next().value!);
    const id = randomBytes(18).toString('base64url');
    this.files.set(id, { ...file, expires: this.now() + DOWNLOAD_TTL_MS });
    return `/download/${id}`;
  }

  /** The file behind an id, removed from the shelf; null when unknown, fetched already or expired. */
  take(id: string): DownloadFile | null {
    this.forgetExpired();
    const file = this.files.get(id);
    this.files.delete(id);
    return file ?? null;
  }

  private forgetExpired(): void {
    for (const [id, file] of this.files) if (file.expires <= this.now()) this.files.delete(id);
  }
}

/** A Content-Disposition that names the file for every browser, whatever characters its name has. */
export function attachmentHeader(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
