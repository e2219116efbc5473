import { z } from 'zod';
import { FACT_CATEGORIES, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../domain/facts';

/** The snapshot JSON format, version 1: used for import and export, and the source of resources/schemas/snapshot.schema.json. */
const text = z.string().max(4096);

export const snapshotSchema = z
  .object({
    format: z.literal(SNAPSHOT_FORMAT).describe('Always "stagecraft.snapshot".'),
    version: z.literal(SNAPSHOT_FORMAT_VERSION).describe('Format version; a reader refuses versions it does not know.'),
    capturedAt: z.iso.datetime({ offset: true }).describe('When the facts were collected (ISO 8601 with zone).'),
    source: z.enum(['ssh', 'collector', 'import', 'ansible', 'demo', 'image']),
    host: z.object({
      hostname: text.min(1),
      fqdn: text.optional(),
      machineId: text.optional(),
      addresses: z.array(text),
      macs: z.array(text),
    }),
    os: z.object({ id: text, versionId: text, prettyName: text.optional(), kernel: text, arch: text }),
    packages: z.array(z.object({ manager: z.enum(['dpkg', 'rpm', 'apk']), name: text.min(1), version: text, arch: text })),
    services: z.array(
      z.object({
        name: text.min(1),
        enabled: z.enum(['enabled', 'disabled', 'static', 'masked', 'indirect', 'generated', 'alias', 'unknown']),
        active: z.enum(['active', 'inactive', 'failed', 'activating', 'deactivating', 'unknown']),
      }),
    ),
    ports: z.array(z.object({ proto: z.enum(['tcp', 'udp', 'tcp6', 'udp6']), address: text, port: z.number().int().min(0).max(65535), process: text.optional() })),
    sysctl: z.record(text, z.string().max(65536)),
    users: z.array(z.object({ name: text.min(1), uid: z.number().int().nonnegative(), gid: z.number().int().nonnegative(), home: text, shell: text })),
    groups: z.array(z.object({ name: text.min(1), gid: z.number().int().nonnegative(), members: z.array(text) })),
    mounts: z.array(z.object({ target: text, source: text, fstype: text, options: text })),
    cron: z.array(z.object({ source: text, schedule: text, user: text.optional(), command: z.string().max(65536) })),
    files: z.array(
      z.object({
        path: text.min(1).startsWith('/'),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits'),
        size: z.number().int().nonnegative(),
        mode: z.string().regex(/^[0-7]{3,4}$/, 'an octal mode such as 0644'),
        owner: text,
        group: text,
        content: z.string().optional().describe('Text content, when the file is UTF-8 text within the capture limit.'),
        binary: z.boolean().optional(),
        truncated: z.boolean().optional(),
      }),
    ),
    warnings: z.array(z.string()),
  })
  .describe('One host at one time, as Stagecraft captured or imported it.') satisfies z.ZodType<Snapshot>;

export const factCategory = z.enum(FACT_CATEGORIES);
