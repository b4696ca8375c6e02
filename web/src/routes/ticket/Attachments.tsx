// Attach files (presigned upload straight to storage, with progress, then confirm) and download them.
import { useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { messageOf } from "../../api/problem";
import { invalidateTicket } from "../../api/queries/invalidate";
import type { Schemas } from "../../api/types";
import { bytes } from "../../lib/format";
import { uploadFile } from "./replyFiles";
import { ticketUploadSteps } from "./ticketUpload";

interface Upload {
  name: string;
  progress: number;
  error?: string;
}

export function Attachments({ ticketId, attachments, canWrite }: { ticketId: string; attachments: Schemas["AttachmentView"][]; canWrite: boolean }) {
  const queries = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [downloadError, setDownloadError] = useState<string | null>(null);

  const patch = (name: string, change: Partial<Upload>) =>
    setUploads((current) => current.map((upload) => (upload.name === name ? { ...upload, ...change } : upload)));

  const upload = async (file: File) => {
    setUploads((current) => [...current.filter((u) => u.name !== file.name), { name: file.name, progress: 0 }]);
    try {
      await uploadFile(ticketUploadSteps(ticketId), file, (share) => patch(file.name, { progress: share }));
      setUploads((current) => current.filter((u) => u.name !== file.name));
      invalidateTicket(queries, { id: ticketId });
    } catch (error) {
      patch(file.name, { error: messageOf(error) });
    }
  };

  const download = async (attachmentId: string) => {
    setDownloadError(null);
    try {
      const answer = await call(
        api.GET("/api/v1/tickets/{id}/attachments/{attachment_id}", { params: { path: { id: ticketId, attachment_id: attachmentId } } }),
      );
      window.location.assign(answer.download.url);
    } catch (error) {
      setDownloadError(messageOf(error));
    }
  };

  return (
    <section className="card" aria-labelledby="attachments-title">
      <h2 id="attachments-title" className="card-title">
        Attachments
      </h2>
      {attachments.length === 0 && uploads.length === 0 && <p className="muted small">No files yet.</p>}
      <ul className="files" data-testid="attachments">
        {attachments.map((attachment) => (
          <li key={attachment.id}>
            <button type="button" className="link file-name" onClick={() => void download(attachment.id)}>
              {attachment.filename}
            </button>
            <span className="muted small">{bytes(attachment.size)}</span>
          </li>
        ))}
        {uploads.map((item) => (
          <li key={item.name} className="uploading">
            <span className="file-name">{item.name}</span>
            {item.error ? (
              <span className="inline-error small" role="alert">
                {item.error}
              </span>
            ) : (
              <progress max={1} value={item.progress} aria-label={`Uploading ${item.name}`}>
                {Math.round(item.progress * 100)}%
              </progress>
            )}
          </li>
        ))}
      </ul>
      {downloadError && (
        <p className="inline-error small" role="alert">
          {downloadError}
        </p>
      )}
      {canWrite && (
        <>
          <input
            ref={input}
            type="file"
            className="sr-only"
            id="attach-file"
            multiple
            onChange={(event) => {
              for (const file of Array.from(event.target.files ?? [])) void upload(file);
              event.target.value = "";
            }}
          />
          <label htmlFor="attach-file" className="button small">
            Attach files
          </label>
          <p className="muted small">Images, PDF, text, CSV, JSON, ZIP, Word, Excel; up to 25 MB.</p>
        </>
      )}
    </section>
  );
}
