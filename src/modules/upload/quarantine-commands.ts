// Admin ad-hoc commands (XEP-0050, through the adhoc service) to list quarantined files (infected
// uploads and pulls) and to release one. Releasing an upload makes its GET URL work; releasing a
// pulled file is the file-pull module's (it grants the file to its recipient and tells them).
import { buildForm, findFormElement, formTypeField, parseForm, validateSubmission, FormError, type DataForm } from '../../forms/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { AdhocCommand, FilePullService } from '../../core/services.ts';
import type { FilesStore, QuarantineEntry } from '../../storage/types.ts';

export const NS_FILES_ADMIN = 'urn:parley:files:admin:0';

export interface QuarantineDeps {
  store: FilesStore;
  allowed: AdhocCommand['allowed'];
  releaseUpload(entry: QuarantineEntry): Promise<string>;
  filePull(): FilePullService | undefined;
  now(): number;
}

const fieldsOf = (e: QuarantineEntry) => [
  { var: 'id', values: [String(e.id)] },
  { var: 'kind', values: [e.kind] },
  { var: 'owner', values: [`${e.username}@${e.domain}`] },
  { var: 'sender', values: [e.sender ?? ''] },
  { var: 'name', values: [e.name] },
  { var: 'size', values: [String(e.size)] },
  { var: 'signature', values: [e.signature] },
  { var: 'created', values: [new Date(e.createdAt).toISOString()] },
];

export function listQuarantineCommand(deps: QuarantineDeps): AdhocCommand {
  return {
    node: `${NS_FILES_ADMIN}#quarantine-list`,
    name: 'List quarantined files',
    allowed: deps.allowed,
    async execute() {
      const entries = await deps.store.listQuarantine({ limit: 500 });
      const form: DataForm = {
        type: 'result',
        title: `Quarantined files (${entries.length})`,
        fields: [formTypeField(NS_FILES_ADMIN)],
        reported: fieldsOf(entries[0] ?? ({} as QuarantineEntry)).map((f) => ({ var: f.var, values: [] })),
        items: entries.map(fieldsOf),
      };
      return { status: 'completed', payload: [buildForm(form)] };
    },
  };
}

export function releaseQuarantineCommand(deps: QuarantineDeps): AdhocCommand {
  const offered = async (): Promise<DataForm> => {
    const entries = await deps.store.listQuarantine({ limit: 500 });
    return {
      type: 'form',
      title: 'Release a quarantined file',
      instructions: ['The file becomes available to its owner again. Only release files you have checked.'],
      fields: [formTypeField(NS_FILES_ADMIN), {
        var: 'id', type: 'list-single', label: 'File', required: true, values: [],
        options: entries.map((e) => ({ value: String(e.id), label: `${e.id}: ${e.name} (${e.signature}) for ${e.username}@${e.domain}` })),
      }],
    };
  };
  return {
    node: `${NS_FILES_ADMIN}#quarantine-release`,
    name: 'Release a quarantined file',
    allowed: deps.allowed,
    async execute(req) {
      const form = await offered();
      const x = findFormElement(req.command);
      if (!x) return { status: 'executing', payload: [buildForm(form)], actions: { allowed: ['complete'], execute: 'complete' } };
      let id: number;
      try {
        id = Number(validateSubmission(form, parseForm(x)).value('id'));
      } catch (e) {
        if (e instanceof FormError) throw new StanzaError('bad-request', e.message, undefined, xml('bad-payload', { xmlns: NS.commands }));
        throw e;
      }
      const entry = await deps.store.getQuarantine(id);
      if (!entry || entry.releasedAt !== null) throw new StanzaError('item-not-found', 'No such quarantined file');
      let note: string;
      if (entry.kind === 'upload') note = await deps.releaseUpload(entry);
      else {
        const pull = deps.filePull();
        if (!pull) throw new StanzaError('service-unavailable', 'The file-pull module is not running');
        note = await pull.release(entry, req.requester);
      }
      await deps.store.markReleased(id, req.requester.toString(), deps.now());
      return { status: 'completed', notes: [{ type: 'info', text: note }] };
    },
  };
}
