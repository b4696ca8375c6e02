// Files going with a reply: each is uploaded as a ticket attachment (the same presigned flow as the
// Attachments card: create, PUT to storage, confirm) while the agent writes, and the reply names the
// ready ones in `attachment_ids`, so they are sent with the e-mail. Notes carry no files to the customer.
import type { Presigned } from "../../lib/upload";

/** The three steps of an upload, as the API offers them (ticketUpload.ts; stand-ins in tests). */
export interface UploadSteps {
  create: (file: { filename: string; content_type: string; size: number }) => Promise<{ id: string; upload: Presigned }>;
  put: (file: Blob, target: Presigned, onProgress: (share: number) => void) => Promise<void>;
  confirm: (attachmentId: string) => Promise<void>;
}

/** Uploads one file and answers its attachment id once it is confirmed (stored and counted). */
export async function uploadFile(steps: UploadSteps, file: File, onProgress: (share: number) => void): Promise<string> {
  const created = await steps.create({ filename: file.name, content_type: file.type || "application/octet-stream", size: file.size });
  await steps.put(file, created.upload, onProgress);
  await steps.confirm(created.id);
  return created.id;
}

/** A file of the reply being written. */
export interface ReplyFile {
  key: string;
  name: string;
  size: number;
  progress: number;
  /** Set once uploaded and confirmed. */
  id?: string;
  error?: string;
}

/** The ids to send: the files that are ready. */
export function readyIds(files: ReplyFile[]): string[] {
  return files.flatMap((file) => (file.id ? [file.id] : []));
}

/** Still uploading: the reply waits, so no file is left behind. */
export function uploading(files: ReplyFile[]): boolean {
  return files.some((file) => !file.id && !file.error);
}

export interface ReplyDraft {
  body: string;
  internal: boolean;
  draftVersion: number;
  confirm?: boolean;
  attachmentIds: string[];
}

/** The body of `POST /tickets/{id}/messages` for a reply or a note. */
export function messageBody(draft: ReplyDraft) {
  if (draft.internal) return { body: draft.body, internal: true as const };
  return {
    body: draft.body,
    internal: false as const,
    draft_version: draft.draftVersion,
    ...(draft.confirm ? { confirm: true } : {}),
    ...(draft.attachmentIds.length ? { attachment_ids: draft.attachmentIds } : {}),
  };
}
