// Approvers' private keys at rest under the desktop shell: wrapped by the OS keychain through safeStorage.
import { safeStorage } from 'electron';
import type { KeyProtector } from '../core/services/signing';

function available(): void {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new Error('The system keychain is not available to protect signing keys: unlock it (or install one, such as gnome-keyring or kwallet) and try again.');
  }
}

export const safeStorageProtector: KeyProtector = {
  name: 'electron-safe-storage',
  protect: (secret) => {
    available();
    return safeStorage.encryptString(secret);
  },
  unprotect: (data) => {
    available();
    return safeStorage.decryptString(data);
  },
};
