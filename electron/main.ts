// The desktop shell: a window, menus, native dialogs, and the IPC transport of the contract. Thin.
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type MenuItemConstructorOptions } from 'electron';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { callNames } from '../core/contract/index';
import { CONTENT_SECURITY_POLICY } from '../core/host/csp';
import { createApp } from '../core/services/app';
import { EVENT_CHANNEL } from './channels';
import { safeStorageProtector } from './key-protector';
import { printToPdf } from './print';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, isAllowedNavigation, isTrustedSender, secureWebPreferences } from './security';

// Chromium's sandbox for every renderer, whatever its webPreferences say (must precede 'ready').
app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const appRoot = app.getAppPath();
const rendererDir = join(appRoot, 'dist', 'renderer');
const resourcesDir = app.isPackaged ? join(process.resourcesPath, 'resources') : join(appRoot, 'resources');
const electronNative = join(appRoot, '.cache', 'electron-native', 'better_sqlite3.node');

let mainWindow: BrowserWindow | null = null;

const stagecraft = createApp({
  shell: 'electron',
  resourcesDir,
  dataDir: join(app.getPath('userData')),
  defaultWorkspaceDir: join(app.getPath('documents'), 'Stagecraft'),
  ...(existsSync(electronNative) ? { nativeBinding: electronNative } : {}),
  chooseWorkspace: async (mode) => {
    const filters = [{ name: 'Stagecraft workspace', extensions: ['stagecraft'] }];
    if (mode === 'open') {
      const result = await dialog.showOpenDialog(mainWindow!, { title: 'Open workspace', properties: ['openFile'], filters });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    }
    const result = await dialog.showSaveDialog(mainWindow!, { title: 'New workspace', filters, properties: ['createDirectory', 'showOverwriteConfirmation'] });
    return result.canceled ? null : (result.filePath ?? null);
  },
  chooseSavePath: async (suggestedName) => {
    const extension = extname(suggestedName).slice(1);
    const result = await dialog.showSaveDialog(mainWindow!, {
      title: 'Export report',
      defaultPath: join(app.getPath('documents'), suggestedName),
      filters: [{ name: `${extension.toUpperCase()} file`, extensions: [extension] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (result.canceled || !result.filePath) return null;
    // The dialog itself asked before choosing an existing file (showOverwriteConfirmation).
    return { path: result.filePath, overwriteConfirmed: existsSync(result.filePath) };
  },
  printToPdf,
  keyProtector: safeStorageProtector,
});
stagecraft.onEvent((name, payload) => mainWindow?.webContents.send(EVENT_CHANNEL, name, payload));

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return new Response('Bad request', { status: 400 });
    }
    const relative = normalize(pathname).replace(/^([/\\])+/, '') || 'index.html';
    const file = join(rendererDir, relative);
    if (url.host !== APP_HOST || !(file === rendererDir || file.startsWith(rendererDir + sep)) || !existsSync(file)) {
      return new Response('Not found', { status: 404 });
    }
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });
}

function registerContract(): void {
  for (const name of callNames) {
    ipcMain.handle(name, async (event, input: unknown) => {
      if (!isTrustedSender(event.senderFrame)) {
        return { ok: false, error: { code: 'refused', message: 'Calls are accepted only from Stagecraft’s own window.' } };
      }
      return stagecraft.dispatch(name, input);
    });
  }
}

async function invokeFromMenu(name: 'workspace.openDemo' | 'workspace.close'): Promise<void> {
  await stagecraft.dispatch(name, {});
  mainWindow?.webContents.reload();
}

async function openPath(path: string | null): Promise<void> {
  if (!path) return;
  const result = await stagecraft.dispatch('workspace.open', { path });
  if (!result.ok) dialog.showErrorBox('Could not open the workspace', `${result.error.message}${result.error.hint ? `\n\n${result.error.hint}` : ''}`);
  mainWindow?.webContents.reload();
}

function buildMenu(): void {
  const recent = stagecraft.session.recent.list().filter((entry) => entry.exists);
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      {
        label: 'New Workspace…',
        accelerator: 'CmdOrCtrl+N',
        click: async () => {
          const path = await stagecraft.ctx.chooseWorkspace!('create');
          if (!path) return;
          const result = await stagecraft.dispatch('workspace.create', { path, name: path.split(/[\\/]/).pop()!.replace(/\.stagecraft$/, '') });
          if (!result.ok) dialog.showErrorBox('Could not create the workspace', result.error.message);
          mainWindow?.webContents.reload();
          buildMenu();
        },
      },
      { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: async () => openPath(await stagecraft.ctx.chooseWorkspace!('open')).then(buildMenu) },
      {
        label: 'Open Recent',
        submenu: recent.length === 0 ? [{ label: 'No recent workspaces', enabled: false }] : recent.map((entry) => ({ label: `${entry.name} — ${entry.path}`, click: () => openPath(entry.path) })),
      },
      { label: 'Open Demo Workspace', accelerator: 'CmdOrCtrl+Shift+D', click: () => invokeFromMenu('workspace.openDemo').then(buildMenu) },
      { label: 'Close Workspace', accelerator: 'CmdOrCtrl+W', click: () => invokeFromMenu('workspace.close') },
      { type: 'separator' },
      { role: 'quit', accelerator: 'CmdOrCtrl+Q' },
    ],
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate([file, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]));
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Stagecraft',
    show: false,
    webPreferences: secureWebPreferences(join(__dirname, 'preload.cjs')),
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = null));
  void mainWindow.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Every web contents (not only the main window) stays on our own origin.
  contents.on('will-navigate', (details) => {
    if (!isAllowedNavigation(details.url)) details.preventDefault();
  });
  contents.on('will-redirect', (details) => {
    if (!isAllowedNavigation(details.url)) details.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer();
  registerContract();
  buildMenu();
  createWindow();
});

app.on('window-all-closed', () => {
  stagecraft.session.close();
  if (process.platform !== 'darwin') app.quit();
});
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) createWindow();
});
