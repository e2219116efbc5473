/**
 * Authentication the way administrators work: ssh-agent first, then key files (an encrypted key
 * asks its passphrase through the caller's callback, used once, never kept), then a password
 * through a callback. What was tried is recorded so a failure can say so.
 */
import { readFileSync } from 'node:fs';
import ssh2, { type AnyAuthMethod, type AuthenticationType, type AuthHandlerMiddleware, type ParsedKey } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader does not see its named exports, the default export works everywhere.
const { utils } = ssh2;

export interface PassphraseRequest {
  keyFile: string;
  /** True when a passphrase was already given for this key and did not decrypt it. */
  retry: boolean;
}

export interface PasswordRequest {
  user: string;
  host: string;
  port: number;
}

export interface CredentialOptions {
  /** ssh-agent socket; default SSH_AUTH_SOCK; null: do not use an agent. */
  agentSocket?: string | null;
  /** Asked for an encrypted key file; null or undefined skips that key. */
  askPassphrase?: (request: PassphraseRequest) => Promise<string | null | undefined>;
  /** Asked when keys did not work and the server accepts passwords; null skips. */
  askPassword?: (request: PasswordRequest) => Promise<string | null | undefined>;
}

export interface AuthPlan extends CredentialOptions {
  user: string;
  host: string;
  port: number;
  identityFiles: readonly string[];
  identitiesOnly: boolean;
}

/** Pauses the connect timeout while a person answers a prompt. */
export type PromptGuard = <T>(prompt: () => Promise<T>) => Promise<T>;

type Attempt = { label: string; method: 'agent' | 'publickey' | 'password'; make: () => Promise<AnyAuthMethod | null> };

const PASSPHRASE_ATTEMPTS = 3;

/** An ssh2 authHandler for the plan, and the list of what it tried (for the auth-failed message). */
export function makeAuthHandler(plan: AuthPlan, guard: PromptGuard): { handler: AuthHandlerMiddleware; tried: string[] } {
  const tried: string[] = [];
  const attempts: Attempt[] = [];
  const username = plan.user;
  const agent = plan.agentSocket === undefined ? process.env['SSH_AUTH_SOCK'] : plan.agentSocket;
  if (agent && !plan.identitiesOnly) {
    attempts.push({ label: 'ssh-agent', method: 'agent', make: async () => ({ type: 'agent', username, agent }) });
  }
  for (const keyFile of plan.identityFiles) {
    attempts.push({
      label: `key ${keyFile}`,
      method: 'publickey',
      make: async () => {
        const key = await loadPrivateKey(keyFile, plan.askPassphrase, guard);
        return key ? { type: 'publickey', username, key } : null;
      },
    });
  }
  if (plan.askPassword) {
    const askPassword = plan.askPassword;
    attempts.push({
      label: 'password',
      method: 'password',
      make: async () => {
        const password = await guard(() => askPassword({ user: username, host: plan.host, port: plan.port }));
        return password ? { type: 'password', username, password } : null;
      },
    });
  }

  let next = 0;
  const handler: AuthHandlerMiddleware = (methodsLeft, _partial, callback) => {
    void (async () => {
      while (next < attempts.length) {
        const attempt = attempts[next++]!;
        // methodsLeft is null before the server has said what it accepts.
        if (methodsLeft && !allows(methodsLeft, attempt.method)) continue;
        let method: AnyAuthMethod | null;
        try {
          method = await attempt.make();
        } catch (error) {
          tried.push(`${attempt.label} (${(error as Error).message})`);
          continue;
        }
        if (method === null) {
          tried.push(`${attempt.label} (skipped)`);
          continue;
        }
        tried.push(attempt.label);
        return callback(method);
      }
      // ssh2 ends authentication with "All configured authentication methods failed" on false.
      callback(false as unknown as AuthenticationType);
    })();
  };
  return { handler, tried };
}

function allows(methodsLeft: readonly AuthenticationType[], method: Attempt['method']): boolean {
  return method === 'agent' ? methodsLeft.includes('publickey') : methodsLeft.includes(method);
}

/** Reads and, when encrypted, decrypts a private key; null when the user declines the passphrase. */
async function loadPrivateKey(keyFile: string, askPassphrase: CredentialOptions['askPassphrase'], guard: PromptGuard): Promise<ParsedKey | null> {
  const data = readFileSync(keyFile);
  const plain = utils.parseKey(data);
  if (!(plain instanceof Error)) return firstKey(plain, keyFile);
  if (!/passphrase/i.test(plain.message)) throw new Error(`not a usable private key: ${plain.message}`);
  if (!askPassphrase) throw new Error('encrypted, and no passphrase prompt is available');
  for (let attempt = 0; attempt < PASSPHRASE_ATTEMPTS; attempt++) {
    const passphrase = await guard(() => askPassphrase({ keyFile, retry: attempt > 0 }));
    if (!passphrase) return null;
    const key = utils.parseKey(data, passphrase);
    if (!(key instanceof Error)) return firstKey(key, keyFile);
  }
  throw new Error('wrong passphrase');
}

function firstKey(parsed: ParsedKey | ParsedKey[], keyFile: string): ParsedKey {
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) throw new Error(`${keyFile} holds no private key`);
  return key;
}
