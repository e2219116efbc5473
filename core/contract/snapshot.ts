import { z } from 'zod';
import { FACT_CATEGORIES, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../domain/facts';
import { IMAGE_FORMAT, IMAGE_FORMAT_VERSION, type ImageContent } from '../domain/image';

/** The snapshot JSON format, version 1: used for import and export, and the source of resources/schemas/snapshot.schema.json. */
const text = z.string().max(4096);

const enabledState = z.enum(['enabled', 'disabled', 'static', 'masked', 'indirect', 'generated', 'alias', 'unknown']);
const activeState = z.enum(['active', 'inactive', 'failed', 'activating', 'deactivating', 'unknown']);
const packageFact = z.object({ manager: z.enum(['dpkg', 'rpm', 'apk']), name: text.min(1), version: text, arch: text });
const portFact = z.object({ proto: z.enum(['tcp', 'udp', 'tcp6', 'udp6']), address: text, port: z.number().int().min(0).max(65535), process: text.optional() });
const sysctlFacts = z.record(text, z.string().max(65536));
const userFact = z.object({ name: text.min(1), uid: z.number().int().nonnegative(), gid: z.number().int().nonnegative(), home: text, shell: text });
const groupFact = z.object({ name: text.min(1), gid: z.number().int().nonnegative(), members: z.array(text) });
const mountFact = z.object({ target: text, source: text, fstype: text, options: text });
const cronFact = z.object({ source: text, schedule: text, user: text.optional(), command: z.string().max(65536) });
const fileFact = z.object({
  path: text.min(1).startsWith('/'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits'),
  size: z.number().int().nonnegative(),
  mode: z.string().regex(/^[0-7]{3,4}$/, 'an octal mode such as 0644'),
  owner: text,
  group: text,
  content: z.string().optional().describe('Text content, when the file is UTF-8 text within the capture limit.'),
  binary: z.boolean().optional(),
  truncated: z.boolean().optional(),
});
const osFields = { id: text, versionId: text, kernel: text, arch: text };

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
    os: z.object({ ...osFields, prettyName: text.optional() }),
    packages: z.array(packageFact),
    services: z.array(z.object({ name: text.min(1), enabled: enabledState, active: activeState })),
    ports: z.array(portFact),
    sysctl: sysctlFacts,
    users: z.array(userFact),
    groups: z.array(groupFact),
    mounts: z.array(mountFact),
    cron: z.array(cronFact),
    files: z.array(fileFact),
    warnings: z.array(z.string()),
  })
  .describe('One host at one time, as Stagecraft captured or imported it.') satisfies z.ZodType<Snapshot>;

export const factCategory = z.enum(FACT_CATEGORIES);

/** The image JSON format, version 1: what a role's hosts should have; the source of resources/schemas/image.schema.json. */
export const imageSchema = z
  .object({
    format: z.literal(IMAGE_FORMAT),
    version: z.literal(IMAGE_FORMAT_VERSION),
    service: text.min(1),
    label: text.min(1),
    governs: z.object({ categories: z.array(factCategory), paths: z.array(text) }),
    roles: z.record(
      text,
      z.object({
        os: z.object(osFields).partial().optional(),
        packages: z.array(packageFact),
        services: z.array(z.object({ name: text.min(1), enabled: enabledState.optional(), active: activeState.optional() })),
        ports: z.array(portFact),
        sysctl: sysctlFacts,
        users: z.array(userFact),
        groups: z.array(groupFact),
        mounts: z.array(mountFact),
        cron: z.array(cronFact),
        files: z.array(fileFact),
        ungoverned: z.array(z.string()),
      }),
    ),
    lineage: z.object({
      parent: z.string().optional(),
      capturedFrom: z.object({ stage: text, hosts: z.array(text), at: z.string() }).optional(),
      derivedBy: z.array(z.string()).optional(),
    }),
  })
  .describe('The desired configuration of a service, role by role.') satisfies z.ZodType<ImageContent>;
