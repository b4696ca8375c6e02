// PUT a file to a presigned URL with progress (fetch has no upload progress; XHR does).
export interface Presigned {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export function uploadWithProgress(file: Blob, target: Presigned, onProgress: (share: number) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    for (const [name, value] of Object.entries(target.headers)) {
      // The browser sets these itself and refuses to have them set.
      if (!["content-length", "host"].includes(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`The file store refused the upload (HTTP ${xhr.status}).`)));
    xhr.onerror = () => reject(new Error("The upload failed: the file store could not be reached."));
    xhr.onabort = () => reject(new Error("The upload was cancelled."));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(file);
  });
}
