import { describe, expect, it } from "vitest";
import { messageBody, readyIds, uploadFile, uploading, type ReplyFile, type UploadSteps } from "./replyFiles";

function recordingSteps(fail?: "put") {
  const calls: string[] = [];
  const steps: UploadSteps = {
    create: async (file) => {
      calls.push(`create ${file.filename} ${file.content_type} ${file.size}`);
      return { id: "att-1", upload: { method: "PUT", url: "https://files.example/put", headers: {} } };
    },
    put: async (_file, target, onProgress) => {
      calls.push(`put ${target.url}`);
      if (fail === "put") throw new Error("The file store refused the upload (HTTP 403).");
      onProgress(1);
    },
    confirm: async (id) => {
      calls.push(`confirm ${id}`);
    },
  };
  return { steps, calls };
}

describe("files going with a reply", () => {
  it("are created, stored and confirmed in that order, answering the attachment id", async () => {
    const { steps, calls } = recordingSteps();
    const shares: number[] = [];
    const id = await uploadFile(steps, new File(["hello"], "invoice.pdf", { type: "application/pdf" }), (share) => shares.push(share));
    expect(id).toBe("att-1");
    expect(calls).toEqual(["create invoice.pdf application/pdf 5", "put https://files.example/put", "confirm att-1"]);
    expect(shares).toEqual([1]);
  });

  it("are never confirmed when storing them failed", async () => {
    const { steps, calls } = recordingSteps("put");
    await expect(uploadFile(steps, new File(["x"], "a.bin"), () => {})).rejects.toThrow("refused the upload");
    expect(calls).toEqual(["create a.bin application/octet-stream 1", "put https://files.example/put"]);
  });

  it("are named in a reply once ready, and a reply waits while one is still uploading", () => {
    const files: ReplyFile[] = [
      { key: "1", name: "a.pdf", size: 1, progress: 1, id: "att-1" },
      { key: "2", name: "b.pdf", size: 1, progress: 0.4 },
      { key: "3", name: "c.pdf", size: 1, progress: 0, error: "too big" },
    ];
    expect(readyIds(files)).toEqual(["att-1"]);
    expect(uploading(files)).toBe(true);
    expect(uploading([files[0], files[2]])).toBe(false);
  });

  it("go with replies and never with internal notes", () => {
    const draft = { body: "Here it is", draftVersion: 4, attachmentIds: ["att-1", "att-2"] };
    expect(messageBody({ ...draft, internal: false })).toEqual({ body: "Here it is", internal: false, draft_version: 4, attachment_ids: ["att-1", "att-2"] });
    expect(messageBody({ ...draft, internal: true })).toEqual({ body: "Here it is", internal: true });
    expect(messageBody({ ...draft, internal: false, attachmentIds: [], confirm: true })).toEqual({
      body: "Here it is",
      internal: false,
      draft_version: 4,
      confirm: true,
    });
  });
});
