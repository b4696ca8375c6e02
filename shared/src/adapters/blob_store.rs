//! A bucket of files in S3, reached through presigned URLs: the API hands them out and never carries
//! file bytes itself.

use std::time::Duration;

use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use thiserror::Error;

use crate::lazy_client::LazyClient;

#[derive(Debug, Error)]
pub enum BlobError {
    /// The process was started without the bucket's name.
    #[error("the {bucket} bucket is not configured")]
    NotConfigured { bucket: &'static str },
    /// A URL could not be signed (an expiry S3 does not accept, say).
    #[error("presigning an S3 request failed: {0}")]
    Presign(String),
    #[error("S3 call failed: {0}")]
    Backend(String),
}

/// A request the client makes to S3 itself: method, URL, and the headers the signature binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// What S3 holds at a key: the current version's size and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub size: u64,
    /// None in a bucket without versioning.
    pub version_id: Option<String>,
}

/// The tag an upload carries until its announcement is confirmed: the bucket's lifecycle rule removes
/// objects that still carry it after a day, so uploads never confirmed do not stay.
pub const UNCONFIRMED_TAG: (&str, &str) = ("upload", "unconfirmed");

#[derive(Debug, Clone)]
pub struct BlobStore {
    client: LazyClient<aws_sdk_s3::Client>,
    bucket: Option<String>,
    /// What the bucket holds, for the error when it is missing.
    purpose: &'static str,
}

impl BlobStore {
    /// The bucket named `bucket` (None: not configured in this process), holding `purpose` ("attachments").
    pub fn new(
        client: impl Into<LazyClient<aws_sdk_s3::Client>>,
        bucket: Option<String>,
        purpose: &'static str,
    ) -> Self {
        Self { client: client.into(), bucket, purpose }
    }

    fn bucket(&self) -> Result<&str, BlobError> {
        self.bucket.as_deref().ok_or(BlobError::NotConfigured { bucket: self.purpose })
    }

    /// A PUT of exactly `size` bytes of `content_type` to `key`, valid for `ttl`. It writes once: the
    /// signature binds `If-None-Match: *`, so replaying the URL (to swap the content after it was
    /// checked) is refused by S3. The object is tagged [`UNCONFIRMED_TAG`] until [`Self::confirm`].
    pub async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> Result<PresignedUrl, BlobError> {
        let request = self
            .client
            .put_object()
            .bucket(self.bucket()?)
            .key(key)
            .content_type(content_type)
            .content_length(i64::try_from(size).unwrap_or(i64::MAX))
            .if_none_match("*")
            .tagging(format!("{}={}", UNCONFIRMED_TAG.0, UNCONFIRMED_TAG.1))
            .presigned(expiring(ttl)?)
            .await
            .map_err(|err| BlobError::Presign(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))?;
        Ok(url_of(&request))
    }

    /// A GET of `key` (of its `version`, when given: the one that was checked) that the browser saves
    /// as `filename`, served as `content_type`, valid for `ttl`.
    pub async fn presign_download(
        &self,
        key: &str,
        version: Option<&str>,
        filename: &str,
        content_type: &str,
        ttl: Duration,
    ) -> Result<PresignedUrl, BlobError> {
        let request = self
            .client
            .get_object()
            .bucket(self.bucket()?)
            .key(key)
            .set_version_id(version.map(str::to_owned))
            .response_content_disposition(format!("attachment; filename=\"{filename}\""))
            .response_content_type(content_type)
            .presigned(expiring(ttl)?)
            .await
            .map_err(|err| BlobError::Presign(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))?;
        Ok(url_of(&request))
    }

    /// The object at `key`; None when there is no such object.
    pub async fn head(&self, key: &str) -> Result<Option<StoredObject>, BlobError> {
        match self.client.head_object().bucket(self.bucket()?).key(key).send().await {
            Ok(head) => Ok(Some(StoredObject {
                size: head.content_length().and_then(|size| u64::try_from(size).ok()).unwrap_or(0),
                version_id: head.version_id().map(str::to_owned),
            })),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string())),
        }
    }

    /// The bytes at `key`; None when there is no such object. For objects the functions themselves
    /// write and read whole (a search index), not for users' files.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let output = match self.client.get_object().bucket(self.bucket()?).key(key).send().await {
            Ok(output) => output,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(err) => return Err(BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string())),
        };
        let bytes = output.body.collect().await.map_err(|err| BlobError::Backend(err.to_string()))?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    /// Writes `bytes` at `key`, replacing what was there.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.client
            .put_object()
            .bucket(self.bucket()?)
            .key(key)
            .body(bytes.into())
            .send()
            .await
            .map(|_| ())
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))
    }

    /// Removes the object at `key` (nothing when there is none).
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        self.client
            .delete_object()
            .bucket(self.bucket()?)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))
    }

    /// Takes [`UNCONFIRMED_TAG`] off the checked version, so the lifecycle rule keeps it.
    pub async fn confirm(&self, key: &str, version: Option<&str>) -> Result<(), BlobError> {
        self.client
            .delete_object_tagging()
            .bucket(self.bucket()?)
            .key(key)
            .set_version_id(version.map(str::to_owned))
            .send()
            .await
            .map(|_| ())
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))
    }
}

impl BlobStore {
    /// The bytes at `key`, and at most `max` of them: None when there is no such object; a bigger
    /// object answers its size only (`Err(size)` inside the Ok), so nobody reads 40 MB to reject it.
    pub async fn read(&self, key: &str, max: u64) -> Result<Option<Result<Vec<u8>, u64>>, BlobError> {
        let Some(head) = self.head(key).await? else { return Ok(None) };
        if head.size > max {
            return Ok(Some(Err(head.size)));
        }
        let object = match self.client.get_object().bucket(self.bucket()?).key(key).send().await {
            Ok(object) => object,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(err) => return Err(BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string())),
        };
        let bytes = object.body.collect().await.map_err(|err| BlobError::Backend(err.to_string()))?;
        Ok(Some(Ok(bytes.into_bytes().to_vec())))
    }

    /// The first `bytes` bytes at `key` (all of it when shorter).
    pub async fn read_range(&self, key: &str, bytes: u64) -> Result<Vec<u8>, BlobError> {
        let range = format!("bytes=0-{}", bytes.saturating_sub(1));
        let object = self
            .client
            .get_object()
            .bucket(self.bucket()?)
            .key(key)
            .range(range)
            .send()
            .await
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))?;
        let data = object.body.collect().await.map_err(|err| BlobError::Backend(err.to_string()))?;
        Ok(data.into_bytes().to_vec())
    }

    /// Deletes the object at `key` (nothing at the key is not an error).
    pub async fn remove(&self, key: &str) -> Result<(), BlobError> {
        self.client
            .delete_object()
            .bucket(self.bucket()?)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))
    }

    /// Writes `bytes` at `key` (server-side: what the SES receipt rule does in AWS, and the local
    /// stack's drop of a raw message).
    pub async fn write(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        self.client
            .put_object()
            .bucket(self.bucket()?)
            .key(key)
            .content_type(content_type)
            .body(bytes.into())
            .send()
            .await
            .map(|_| ())
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))
    }
}

/// Multipart uploads: a file the functions write piece by piece (an export), so it never sits whole in
/// memory. Every part but the last is at least [`MIN_PART_SIZE`] bytes (S3's rule).
impl BlobStore {
    /// Starts an upload to `key` served as `content_type`; its upload id.
    pub async fn start_upload(&self, key: &str, content_type: &str) -> Result<String, BlobError> {
        let output = self
            .client
            .create_multipart_upload()
            .bucket(self.bucket()?)
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))?;
        output.upload_id.ok_or_else(|| BlobError::Backend("S3 started an upload without an id".to_owned()))
    }

    /// Uploads part `number` (from 1) of the upload; its ETag, for [`Self::complete_upload`].
    pub async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: i32,
        bytes: Vec<u8>,
    ) -> Result<String, BlobError> {
        let output = self
            .client
            .upload_part()
            .bucket(self.bucket()?)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .body(bytes.into())
            .send()
            .await
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))?;
        output.e_tag.ok_or_else(|| BlobError::Backend("S3 took a part without an ETag".to_owned()))
    }

    /// Joins the parts (number, ETag) into the object at `key`.
    pub async fn complete_upload(&self, key: &str, upload_id: &str, parts: &[(i32, String)]) -> Result<(), BlobError> {
        use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
        let parts = parts
            .iter()
            .map(|(number, e_tag)| CompletedPart::builder().part_number(*number).e_tag(e_tag).build())
            .collect();
        self.client
            .complete_multipart_upload()
            .bucket(self.bucket()?)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))
    }

    /// Drops an upload that will not be completed (its parts stop costing storage).
    pub async fn abort_upload(&self, key: &str, upload_id: &str) -> Result<(), BlobError> {
        self.client
            .abort_multipart_upload()
            .bucket(self.bucket()?)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| BlobError::Backend(aws_sdk_s3::error::DisplayErrorContext(err).to_string()))
    }
}

/// The smallest part S3 takes in a multipart upload, but for the last.
pub const MIN_PART_SIZE: usize = 5 * 1024 * 1024;

fn expiring(ttl: Duration) -> Result<PresigningConfig, BlobError> {
    PresigningConfig::expires_in(ttl).map_err(|err| BlobError::Presign(err.to_string()))
}

fn url_of(request: &PresignedRequest) -> PresignedUrl {
    PresignedUrl {
        method: request.method().to_owned(),
        url: request.uri().to_owned(),
        headers: request.headers().map(|(name, value)| (name.to_owned(), value.to_owned())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(bucket: Option<&str>) -> BlobStore {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("eu-west-1"))
            .credentials_provider(aws_sdk_s3::config::Credentials::new("AKIDEXAMPLE", "secret", None, None, "tests"))
            .build();
        BlobStore::new(aws_sdk_s3::Client::from_conf(config), bucket.map(str::to_owned), "attachments")
    }

    fn header<'a>(url: &'a PresignedUrl, name: &str) -> Option<&'a str> {
        url.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    // The local stand-in does not check presigned signatures, so what they bind is checked here.
    #[tokio::test]
    async fn an_upload_url_signs_the_announced_type_and_length() {
        let ttl = Duration::from_secs(300);
        let url = store(Some("files")).presign_put("WS/a/report.pdf", "application/pdf", 1234, ttl).await.unwrap();
        assert_eq!(url.method, "PUT");
        assert!(url.url.contains("report.pdf") && url.url.contains("X-Amz-Expires=300"), "{}", url.url);
        let signed = url.url.split("X-Amz-SignedHeaders=").nth(1).unwrap_or_default().to_ascii_lowercase();
        assert!(signed.contains("content-length") && signed.contains("content-type"), "{}", url.url);
        assert_eq!(header(&url, "content-type"), Some("application/pdf"));
        assert_eq!(header(&url, "content-length"), Some("1234"));
        // written once (a replay cannot swap the checked content), and tagged until confirmed
        assert!(signed.contains("if-none-match") && signed.contains("x-amz-tagging"), "{}", url.url);
        assert_eq!(header(&url, "if-none-match"), Some("*"));
        assert_eq!(header(&url, "x-amz-tagging"), Some("upload=unconfirmed"));
    }

    #[tokio::test]
    async fn a_download_url_names_the_file() {
        let url = store(Some("files"))
            .presign_download("WS/a/report.pdf", Some("v42"), "report.pdf", "application/pdf", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(url.method, "GET");
        assert!(url.url.contains("response-content-disposition=attachment"), "{}", url.url);
        assert!(url.url.contains("versionId=v42"), "pinned to the checked version: {}", url.url);
    }

    #[tokio::test]
    async fn without_a_bucket_nothing_is_signed() {
        let err = store(None).presign_put("k", "text/plain", 1, Duration::from_secs(60)).await.unwrap_err();
        assert!(matches!(err, BlobError::NotConfigured { bucket: "attachments" }), "{err}");
        assert_eq!(err.to_string(), "the attachments bucket is not configured");
    }
}
