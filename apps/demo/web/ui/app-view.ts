/**
 * The signed-in screen: document list, editor, presence, connection status, who changed what,
 * and what the WordCountWorker saw of the call chain. Wires DOM events to DocsClient/DocSession.
 */
import type { ConnectionState, Subscription } from '@lumenize/mesh/client';
import type { DocEvent, DocState, DocSummary, EditEvent, Me, PresenceEntry, WordStats } from '../../src/shared/document-api.ts';
import type { DocsClient } from '../docs-client.ts';
import { DocSession, type EditorSurface } from '../doc-session.ts';
import { getAccessToken } from '../session-token.ts';
import { byId, colorFor, h, initialsOf, tabOf, timeOf } from './dom.ts';

const ACTIVITY_LIMIT = 40;

function nameOf(who: { email: string | null; userId: string }): string {
  return who.email ?? `user ${who.userId.slice(0, 8)}`;
}

function hue(who: { email: string | null; userId: string }): string {
  return colorFor(who.email ?? who.userId);
}

/** The page skeleton (static structure; contents are filled in by EditorApp). */
function skeleton(me: Me): HTMLElement {
  return h(
    'div',
    { class: 'shell' },
    h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, h('span', { class: 'logo' }, '◆'), ' Lumenize Docs'),
      h('div', { class: 'spacer' }),
      h('span', { id: 'status', class: 'status connecting', 'data-state': 'connecting' }, 'Connecting…'),
      h('span', { id: 'me', class: 'me', title: nameOf(me), style: `--c: ${hue(me)}` }, h('span', { class: 'chip' }, initialsOf(nameOf(me))), nameOf(me)),
      h('button', { id: 'sign-out', class: 'ghost', type: 'button' }, 'Sign out'),
    ),
    h(
      'div',
      { class: 'layout' },
      h(
        'aside',
        { class: 'sidebar' },
        h('h2', {}, 'Documents'),
        h('ul', { id: 'doc-list', class: 'doc-list' }),
        h('form', { id: 'new-doc', class: 'new-doc' }, h('input', { id: 'new-title', placeholder: 'New document…', maxlength: '80', required: true }), h('button', { type: 'submit', title: 'Create' }, '+')),
      ),
      h(
        'main',
        { class: 'editor-pane' },
        h(
          'div',
          { class: 'doc-head' },
          h('h1', { id: 'doc-title' }, 'Loading…'),
          h('form', { id: 'rename-form', class: 'rename-form', hidden: true }, h('input', { id: 'rename-title', maxlength: '80', required: true, 'aria-label': 'Document title' }), h('button', { type: 'submit', class: 'small' }, 'Save')),
          h('div', { id: 'presence', class: 'presence' }),
          h(
            'div',
            { class: 'doc-actions' },
            h('button', { id: 'rename', class: 'ghost small', type: 'button', title: 'Rename this document' }, 'Rename'),
            h('button', { id: 'delete', class: 'ghost small', type: 'button', title: 'Delete this document (only its creator can)' }, 'Delete'),
            h('button', { id: 'export', class: 'ghost small', type: 'button', title: 'Download as a text file' }, 'Export'),
          ),
        ),
        h('textarea', { id: 'editor', spellcheck: 'false', placeholder: 'Start typing… Then open this document in a second window, signed in as someone else, and watch both update live.', disabled: true }),
        h(
          'footer',
          { class: 'doc-foot' },
          h('span', { id: 'save-state', class: 'save-state' }, 'Loading…'),
          h('span', { id: 'version' }),
          h('span', { id: 'words' }),
          h('span', { id: 'snapshot' }),
        ),
        h(
          'section',
          { class: 'provenance' },
          h('div', { id: 'last-change', class: 'last-change' }, 'No changes yet.'),
          // The mesh internals (call chain, callContext) are for developers: folded away by default.
          h('details', { id: 'behind', class: 'behind' }, h('summary', {}, 'How this page works'), h('div', { id: 'chain', class: 'chain' })),
        ),
      ),
      h('aside', { class: 'activity' }, h('h2', {}, 'Activity'), h('ol', { id: 'activity', class: 'activity-list' })),
    ),
  );
}

/**
 * The running editor app for one signed-in tab.
 * @example const app = new EditorApp(root, client, me, signOut); app.start();
 */
export class EditorApp {
  #client: DocsClient;
  #me: Me;
  #docs = new Map<string, DocSummary>();
  #docId: string | undefined;
  #session: DocSession | undefined;
  #docSub: Subscription | undefined;
  #listSub: Subscription | undefined;
  #early: DocEvent[] | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #wasConnected = false;
  #state: ConnectionState = 'connecting';
  /** Who the DocumentDO last said is here (re-rendered when our own connection changes). */
  #people: PresenceEntry[] = [];
  /** The DocumentDO's heartbeat interval (DocState.heartbeatMs). */
  #heartbeatMs = 10_000;

  constructor(root: HTMLElement, client: DocsClient, me: Me, onSignOut: () => void) {
    this.#client = client;
    this.#me = me;
    root.replaceChildren(skeleton(me));
    byId('sign-out').addEventListener('click', onSignOut);
    byId<HTMLFormElement>('new-doc').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#createDoc();
    });
    byId('export').addEventListener('click', () => void this.#export());
    byId('rename').addEventListener('click', () => this.#startRename());
    byId<HTMLFormElement>('rename-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#rename();
    });
    byId('rename-title').addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Escape' && this.#endRename());
    byId('delete').addEventListener('click', () => void this.#delete());
    const editor = byId<HTMLTextAreaElement>('editor');
    editor.addEventListener('input', () => this.#session?.localChanged());
    window.addEventListener('hashchange', () => void this.#route());
    window.addEventListener('online', () => this.#renderStatus());
    window.addEventListener('offline', () => this.#renderStatus());
    window.addEventListener('pagehide', () => this.#docId && this.#client.leave(this.#docId));
  }

  /** Loads the list and the document named in the URL (default: the first one). */
  async start(): Promise<void> {
    this.#listSub = this.#client.followDocs((event) => {
      if (event instanceof Error) return this.#flash(`Document list updates stopped: ${event.message}`);
      if (event.kind === 'removed') return this.#removed(event.id);
      this.#docs.set(event.doc.id, event.doc);
      this.#renderList();
    });
    await this.#loadList();
    await this.#route();
  }

  /** Connection state from the client (`onConnectionStateChange`). */
  connectionChanged(state: ConnectionState): void {
    this.#state = state;
    this.#renderStatus();
    if (state === 'connected') {
      if (this.#wasConnected) {
        // Back after a drop: re-send what failed and fetch what was published meanwhile.
        this.#session?.reconnected();
        void this.#loadList();
        if (this.#docId) this.#client.heartbeat(this.#docId);
      }
      this.#wasConnected = true;
    }
  }

  stop(): void {
    clearInterval(this.#heartbeat);
    this.#session?.close();
    this.#docSub?.unsubscribe();
    this.#listSub?.unsubscribe();
  }

  async #loadList(): Promise<void> {
    try {
      for (const doc of await this.#client.listDocs()) this.#docs.set(doc.id, doc);
      this.#renderList();
    } catch (error) {
      this.#flash(`Could not load documents: ${(error as Error).message}`);
    }
  }

  async #route(): Promise<void> {
    const asked = /^#\/doc\/([\w-]+)$/.exec(location.hash)?.[1];
    // Only listed documents open: an unknown id would otherwise open an empty, unlisted document.
    const wanted = asked && this.#docs.has(asked) ? asked : undefined;
    if (asked && !wanted) this.#flash(`There is no document '${asked}'; showing the newest one instead.`);
    const first = [...this.#docs.values()].sort((a, b) => b.updatedAt - a.updatedAt)[0]?.id;
    const docId = wanted ?? first;
    if (!wanted && docId) history.replaceState(null, '', `#/doc/${docId}`);
    if (!docId || docId === this.#docId) return;
    await this.#open(docId);
  }

  async #open(docId: string): Promise<void> {
    if (this.#docId) this.#client.leave(this.#docId);
    this.#session?.close();
    this.#docSub?.unsubscribe();
    if (this.#docId) this.#client.unfollowDoc(this.#docId);
    clearInterval(this.#heartbeat);
    this.#endRename();
    this.#people = [];
    this.#docId = docId;
    this.#renderList();
    byId('doc-title').textContent = this.#docs.get(docId)?.title ?? docId;
    byId('activity').replaceChildren();
    // While the next document loads, show none of this one's data.
    this.#clearLastChange();
    this.#clearStats();
    byId('snapshot').textContent = '';
    const editor = byId<HTMLTextAreaElement>('editor');
    editor.disabled = true;
    editor.value = '';
    const surface: EditorSurface = {
      read: () => ({ text: editor.value, selectionStart: editor.selectionStart, selectionEnd: editor.selectionEnd }),
      write: (text, start, end) => {
        const focused = document.activeElement === editor;
        const scroll = editor.scrollTop;
        editor.value = text;
        if (focused) editor.setSelectionRange(start, end);
        editor.scrollTop = scroll;
      },
    };
    const session = new DocSession(
      {
        open: () => this.#client.openDoc(docId),
        edit: (opId, base, op) => this.#client.edit(docId, opId, base, op),
        sync: (since) => this.#client.sync(docId, since),
      },
      surface,
      {
        onLoaded: (state) => this.#renderState(state),
        onEdit: (event) => this.#renderEdit(event),
        onPendingChange: (pending) => this.#renderSaveState(pending),
        onError: (error) => this.#flash(error.message),
      },
    );
    this.#session = session;
    // Events can arrive before open() answers; hold them until the state is loaded.
    this.#early = [];
    this.#docSub = this.#client.followDoc(docId, (event) => this.#onDocEvent(session, event));
    try {
      await session.load();
    } catch (error) {
      this.#flash(`Could not open the document: ${(error as Error).message}`);
      return;
    }
    if (this.#session !== session) return;
    const early = this.#early;
    this.#early = undefined;
    for (const event of early) this.#onDocEvent(session, event);
    editor.disabled = false;
    editor.focus();
    this.#heartbeat = setInterval(() => this.#state === 'connected' && this.#client.heartbeat(docId), this.#heartbeatMs);
  }

  #onDocEvent(session: DocSession, event: DocEvent | Error): void {
    if (session !== this.#session) return;
    if (event instanceof Error) return this.#flash(`Live updates unavailable: ${event.message}`);
    if (this.#early) {
      this.#early.push(event);
      return;
    }
    if (event.kind === 'edit') session.receive(event);
    else if (event.kind === 'presence') this.#renderPresence(event.people);
    else if (event.kind === 'stats') this.#renderStats(event.stats);
    else if (event.kind === 'deleted') this.#removed(this.#docId!);
    else this.#renderSnapshot(event);
  }

  async #createDoc(): Promise<void> {
    const input = byId<HTMLInputElement>('new-title');
    try {
      const doc = await this.#client.createDoc(input.value);
      input.value = '';
      this.#docs.set(doc.id, doc);
      this.#renderList();
      location.hash = `#/doc/${doc.id}`;
    } catch (error) {
      this.#flash((error as Error).message);
    }
  }

  #startRename(): void {
    if (!this.#docId) return;
    const input = byId<HTMLInputElement>('rename-title');
    input.value = this.#docs.get(this.#docId)?.title ?? '';
    byId('doc-title').hidden = true;
    byId('rename-form').hidden = false;
    input.focus();
    input.select();
  }

  #endRename(): void {
    byId('rename-form').hidden = true;
    byId('doc-title').hidden = false;
  }

  async #rename(): Promise<void> {
    if (!this.#docId) return;
    try {
      const doc = await this.#client.renameDoc(this.#docId, byId<HTMLInputElement>('rename-title').value);
      this.#docs.set(doc.id, doc);
      this.#endRename();
      this.#renderList();
    } catch (error) {
      this.#flash((error as Error).message);
    }
  }

  async #delete(): Promise<void> {
    const doc = this.#docId ? this.#docs.get(this.#docId) : undefined;
    if (!doc || !confirm(`Delete '${doc.title}' for everyone? Its text and history cannot be restored.`)) return;
    try {
      await this.#client.removeDoc(doc.id);
      this.#removed(doc.id);
    } catch (error) {
      this.#flash((error as Error).message);
    }
  }

  /** A document left the list (deleted here or by its creator elsewhere): if it is open, open another. */
  #removed(docId: string): void {
    const doc = this.#docs.get(docId);
    if (!doc) return;
    this.#docs.delete(docId);
    this.#renderList();
    if (docId !== this.#docId) return;
    this.#flash(`'${doc.title}' was deleted.`);
    this.#docId = undefined;
    this.#session?.close();
    this.#session = undefined;
    this.#docSub?.unsubscribe();
    this.#client.unfollowDoc(docId);
    clearInterval(this.#heartbeat);
    history.replaceState(null, '', location.pathname);
    void this.#route();
  }

  /** Plain HTTP through the mesh router, authenticated by createAuthMiddleware. */
  async #export(): Promise<void> {
    if (!this.#docId) return;
    const token = await getAccessToken();
    if (token.kind !== 'token') return this.#flash('Sign in again to export');
    const response = await fetch(`/gateway/DOCUMENT/${this.#docId}/export`, { headers: { Authorization: `Bearer ${token.token}` } });
    if (!response.ok) return this.#flash(`Export failed: HTTP ${response.status}`);
    const url = URL.createObjectURL(await response.blob());
    h('a', { href: url, download: `${this.#docs.get(this.#docId)?.title ?? this.#docId}.txt` }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  // --- rendering ---------------------------------------------------------------------------

  #renderStatus(): void {
    const el = byId('status');
    const offline = !navigator.onLine;
    const [cls, label] =
      offline || this.#state === 'disconnected'
        ? ['offline', 'Offline']
        : this.#state === 'connected'
          ? ['connected', 'Connected']
          : this.#state === 'reconnecting'
            ? ['reconnecting', 'Reconnecting…']
            : ['connecting', 'Connecting…'];
    el.className = `status ${cls}`;
    el.dataset.state = cls;
    el.textContent = label;
    if (this.#session) this.#renderSaveState(this.#session.hasPendingChanges);
    this.#renderPresence(this.#people);
  }

  #renderList(): void {
    const items = [...this.#docs.values()]
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((doc) =>
        h(
          'li',
          { class: doc.id === this.#docId ? 'active' : undefined },
          h(
            'a',
            { href: `#/doc/${doc.id}`, 'data-doc-id': doc.id },
            h('span', { class: 'title' }, doc.title),
            h('span', { class: 'meta' }, `${doc.words} words${doc.lastEditor ? ` · ${doc.lastEditor}` : ''}`),
          ),
        ),
      );
    byId('doc-list').replaceChildren(...items);
    if (this.#docId && this.#docs.get(this.#docId)) byId('doc-title').textContent = this.#docs.get(this.#docId)!.title;
  }

  #renderState(state: DocState): void {
    this.#heartbeatMs = state.heartbeatMs;
    byId('version').textContent = `v${state.version}`;
    this.#renderPresence(state.people);
    // Every panel is set from this document's state, so nothing of the previous document stays.
    if (state.stats) this.#renderStats(state.stats);
    else this.#clearStats();
    if (state.snapshot) this.#renderSnapshot(state.snapshot);
    else byId('snapshot').textContent = 'No snapshot yet';
    if (state.lastEdit) this.#renderLastChange(state.lastEdit);
    else this.#clearLastChange();
    this.#renderSaveState(false);
  }

  #clearStats(): void {
    byId('words').textContent = '0 words';
    byId('chain').replaceChildren();
  }

  #clearLastChange(): void {
    const el = byId('last-change');
    delete el.dataset.userEmail;
    delete el.dataset.userId;
    el.textContent = 'No changes yet.';
  }

  #renderEdit(event: EditEvent): void {
    byId('version').textContent = `v${event.version}`;
    this.#renderLastChange(event);
    const list = byId('activity');
    const top = list.firstElementChild as HTMLElement | null;
    const mine = event.by.instanceName === this.#client.lmz.instanceName;
    if (top && top.dataset.tab === event.by.instanceName) {
      const count = Number(top.dataset.count) + 1;
      top.dataset.count = String(count);
      top.querySelector('.what')!.textContent = `${count} edits · up to v${event.version} · ${timeOf(event.at)}`;
      return;
    }
    const item = h(
      'li',
      { 'data-tab': event.by.instanceName, 'data-count': '1', style: `--c: ${hue(event.by)}` },
      h('span', { class: 'chip' }, initialsOf(nameOf(event.by))),
      h('div', {}, h('div', { class: 'who' }, mine ? 'You' : nameOf(event.by)), h('div', { class: 'what' }, `edited · v${event.version} · ${timeOf(event.at)}`)),
    );
    list.prepend(item);
    while (list.children.length > ACTIVITY_LIMIT) list.lastElementChild!.remove();
  }

  #renderLastChange(event: EditEvent): void {
    const el = byId('last-change');
    el.dataset.userEmail = event.by.email ?? '';
    el.dataset.userId = event.by.userId;
    const mine = event.by.instanceName === this.#client.lmz.instanceName;
    el.replaceChildren(
      'Last change by ',
      h('strong', { style: `color: ${hue(event.by)}` }, nameOf(event.by)),
      mine ? ' (you)' : '',
      h('span', { class: 'muted' }, ` · ${timeOf(event.at)}`),
    );
  }

  #renderPresence(people: PresenceEntry[]): void {
    this.#people = people;
    // While we are offline, the list is what we last heard, not who is here now: say so.
    if (this.#state !== 'connected' || !navigator.onLine) {
      byId('presence').replaceChildren(h('span', { class: 'muted' }, 'Offline: presence unknown'));
      return;
    }
    const byUser = new Map<string, PresenceEntry[]>();
    for (const p of people) byUser.set(p.userId, [...(byUser.get(p.userId) ?? []), p]);
    const chips = [...byUser.values()].map((tabs) => {
      const who = tabs[0]!;
      const you = who.userId === this.#me.userId;
      const label = `${nameOf(who)}${you ? ' (you)' : ''}${tabs.length > 1 ? ` · ${tabs.length} tabs` : ''}`;
      return h('span', { class: 'chip', title: label, 'data-email': who.email ?? '', style: `--c: ${hue(who)}` }, initialsOf(nameOf(who)));
    });
    const others = [...byUser.keys()].filter((id) => id !== this.#me.userId).length;
    byId('presence').replaceChildren(...chips, h('span', { class: 'muted' }, others === 0 ? 'Only you here' : `${others} other${others > 1 ? 's' : ''} here`));
  }

  #renderStats(stats: WordStats): void {
    byId('words').textContent = `${stats.words} word${stats.words === 1 ? '' : 's'} · ${stats.characters} characters`;
    const hop = (label: string, kind: string) => h('span', { class: 'hop' }, h('code', {}, label), h('small', {}, kind));
    const hops = stats.callChain.map((c) =>
      c.type === 'LumenizeClient' ? hop(`tab ${tabOf(c.instanceName ?? '')}`, 'LumenizeClient') : hop(`${c.bindingName}${c.instanceName ? `/${c.instanceName}` : ''}`, c.type),
    );
    const who = stats.countedFor ? nameOf(stats.countedFor) : 'nobody';
    byId('chain').replaceChildren(
      h('div', {}, 'The word count was made by a Worker (WordCountWorker) for ', h('strong', { style: stats.countedFor ? `color: ${hue(stats.countedFor)}` : undefined }, who), ', the user it read from callContext.originAuth, reached through:'),
      h('div', { class: 'hops' }, ...[...hops, hop('WORD_COUNT', 'LumenizeWorker')].flatMap((el, i) => (i ? [h('span', { class: 'arrow' }, '→'), el] : [el]))),
    );
  }

  #renderSnapshot(snapshot: { version: number; at: number }): void {
    byId('snapshot').textContent = `Autosaved snapshot v${snapshot.version} at ${timeOf(snapshot.at)}`;
  }

  #renderSaveState(pending: boolean): void {
    const el = byId('save-state');
    const offline = !navigator.onLine || this.#state !== 'connected';
    el.textContent = pending ? (offline ? 'Unsynced changes: they will be sent when back online' : 'Saving…') : 'All changes saved';
    el.dataset.pending = String(pending);
  }

  #flash(message: string): void {
    let stack = document.getElementById('toasts');
    if (!stack) document.body.append((stack = h('div', { id: 'toasts', class: 'toasts' })));
    const toast = h('div', { class: 'toast', role: 'status' }, message);
    stack.append(toast);
    while (stack.children.length > 3) stack.firstElementChild!.remove();
    setTimeout(() => toast.remove(), 5_000);
  }
}
