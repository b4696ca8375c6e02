// The upload steps of a ticket's attachments through the API (replyFiles.ts runs them).
import { api, call } from "../../api/client";
import { uploadWithProgress } from "../../lib/upload";
import type { UploadSteps } from "./replyFiles";

/** The upload steps for one ticket through the API. */
export function ticketUploadSteps(ticketId: string): UploadSteps {
  return {
    create: async (file) => {
      const created = await call(api.POST("/api/v1/tickets/{id}/attachments", { params: { path: { id: ticketId } }, body: file }));
      return { id: created.attachment.id, upload: created.upload };
    },
    put: (file, target, onProgress) => uploadWithProgress(file, target, onProgress),
    confirm: async (attachmentId) => {
      await call(
        api.POST("/api/v1/tickets/{id}/attachments/{attachment_id}/confirm", { params: { path: { id: ticketId, attachment_id: attachmentId } } }),
      );
    },
  };
}
