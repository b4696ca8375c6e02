//! Creates what template.yaml declares (table, buckets, queues, event buses) in the local AWS stand-in. Idempotent: an
//! existing resource is left as it is, so `make dev` can run against a persistent endpoint twice.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};

use crate::template::{QueueSpec, TableSpec, Template};

/// The local physical name of a resource: AWS generates one from the stack; locally it is stable.
pub fn physical_name(logical_id: &str) -> String {
    format!("switchboard-local-{}", logical_id.to_lowercase())
}

/// A queue's name: FIFO queues' names must end in `.fifo`.
pub fn queue_physical_name(queue: &QueueSpec) -> String {
    let name = physical_name(&queue.logical_id);
    if queue.fifo { format!("{name}.fifo") } else { name }
}

/// What the local stack needs to know of the created resources.
#[derive(Debug, Clone, Default)]
pub struct Created {
    /// Queue logical id -> queue URL (what `!Ref Queue` gives in AWS).
    pub queue_urls: std::collections::BTreeMap<String, String>,
}

pub async fn create_all(template: &Template, aws: &aws_config::SdkConfig) -> Result<Created, String> {
    let dynamodb = aws_sdk_dynamodb::Client::new(aws);
    for table in &template.tables {
        create_table(&dynamodb, table).await?;
    }
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(aws).force_path_style(true).build());
    for bucket in &template.buckets {
        match s3.create_bucket().bucket(physical_name(bucket)).send().await {
            Ok(_) => {}
            Err(err) => {
                let err = err.into_service_error();
                if !(err.is_bucket_already_owned_by_you() || err.is_bucket_already_exists()) {
                    return Err(format!("creating bucket {bucket}: {}", aws_sdk_s3::error::DisplayErrorContext(err)));
                }
            }
        }
        if template.versioned_buckets.contains(bucket) {
            let enabled = aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build();
            s3.put_bucket_versioning()
                .bucket(physical_name(bucket))
                .versioning_configuration(enabled)
                .send()
                .await
                .map_err(|err| {
                    format!("versioning bucket {bucket}: {}", aws_sdk_s3::error::DisplayErrorContext(err))
                })?;
        }
    }
    let queue_urls = create_queues(template, &aws_sdk_sqs::Client::new(aws)).await?;
    let eventbridge = aws_sdk_eventbridge::Client::new(aws);
    for bus in &template.event_buses {
        if let Err(err) = eventbridge.create_event_bus().name(physical_name(bus)).send().await {
            let err = err.into_service_error();
            if !err.is_resource_already_exists_exception() {
                return Err(format!(
                    "creating event bus {bus}: {}",
                    aws_sdk_eventbridge::error::DisplayErrorContext(err)
                ));
            }
        }
    }
    Ok(Created { queue_urls })
}

/// Creates the queues, dead-letter queues first so redrive policies can name their ARNs.
async fn create_queues(
    template: &Template,
    sqs: &aws_sdk_sqs::Client,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let mut urls = std::collections::BTreeMap::new();
    let mut arns = std::collections::BTreeMap::new();
    let mut pending: Vec<&QueueSpec> = template.queues.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut waiting = Vec::new();
        for queue in pending {
            let redrive = match &queue.redrive {
                Some((target, max)) => match arns.get(target) {
                    Some(arn) => {
                        Some(serde_json::json!({"deadLetterTargetArn": arn, "maxReceiveCount": max}).to_string())
                    }
                    None => {
                        waiting.push(queue);
                        continue;
                    }
                },
                None => None,
            };
            let mut request = sqs.create_queue().queue_name(queue_physical_name(queue));
            if queue.fifo {
                request = request.attributes(QueueAttributeName::FifoQueue, "true");
            }
            if let Some(secs) = queue.visibility_timeout_secs {
                request = request.attributes(QueueAttributeName::VisibilityTimeout, secs.to_string());
            }
            if let Some(secs) = queue.retention_secs {
                request = request.attributes(QueueAttributeName::MessageRetentionPeriod, secs.to_string());
            }
            if let Some(redrive) = redrive {
                request = request.attributes(QueueAttributeName::RedrivePolicy, redrive);
            }
            let created = request.send().await.map_err(|err| {
                format!("creating queue {}: {}", queue.logical_id, aws_sdk_sqs::error::DisplayErrorContext(err))
            })?;
            let url = created.queue_url().ok_or_else(|| format!("queue {} has no URL", queue.logical_id))?.to_owned();
            let attributes = sqs
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(QueueAttributeName::QueueArn)
                .send()
                .await
                .map_err(|err| {
                    format!("reading queue {}: {}", queue.logical_id, aws_sdk_sqs::error::DisplayErrorContext(err))
                })?;
            let arn = attributes
                .attributes()
                .and_then(|attributes| attributes.get(&QueueAttributeName::QueueArn))
                .ok_or_else(|| format!("queue {} has no ARN", queue.logical_id))?
                .clone();
            arns.insert(queue.logical_id.clone(), arn);
            urls.insert(queue.logical_id.clone(), url);
        }
        if waiting.len() == before {
            return Err(format!("queues with unknown dead-letter queues: {waiting:?}"));
        }
        pending = waiting;
    }
    Ok(urls)
}

fn key(schema: &[(String, String)]) -> Result<Vec<KeySchemaElement>, String> {
    schema
        .iter()
        .map(|(name, kind)| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(if kind == "HASH" { KeyType::Hash } else { KeyType::Range })
                .build()
                .map_err(|err| err.to_string())
        })
        .collect()
}

async fn create_table(client: &aws_sdk_dynamodb::Client, table: &TableSpec) -> Result<(), String> {
    let name = physical_name(&table.logical_id);
    let mut request = client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key(&table.key_schema)?))
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .map_err(|err| err.to_string())?,
        );
    for (attribute, kind) in &table.attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()
                .map_err(|err| err.to_string())?,
        );
    }
    for index in &table.global_indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key(&index.key_schema)?))
                .projection(
                    Projection::builder().projection_type(ProjectionType::from(index.projection.as_str())).build(),
                )
                .build()
                .map_err(|err| err.to_string())?,
        );
    }
    match request.send().await {
        Ok(_) => {}
        Err(err) => {
            let err = err.into_service_error();
            if !err.is_resource_in_use_exception() {
                return Err(format!("creating table {name}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(err)));
            }
            return Ok(()); // exists already
        }
    }
    if let Some(attribute) = &table.ttl_attribute {
        client
            .update_time_to_live()
            .table_name(&name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attribute)
                    .enabled(true)
                    .build()
                    .map_err(|err| err.to_string())?,
            )
            .send()
            .await
            .map_err(|err| format!("enabling TTL on {name}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(err)))?;
    }
    Ok(())
}

/// The KMS keys template.yaml declares, made in the AWS stand-in.
pub struct KmsKeys {
    /// `TokenKey` (members' OAuth tokens): the functions' SWITCHBOARD_GOOGLE_TOKEN_KEY_ID.
    pub token_key: String,
    /// `WebhookKey` (webhook and Slack URLs, signing secrets): SWITCHBOARD_WEBHOOK_KEY_ID.
    pub webhook_key: String,
    /// `StaffKey` (staff members' second-factor secrets): SWITCHBOARD_STAFF_KEY_ID.
    pub staff_key: String,
}

pub async fn create_kms_keys(aws: &aws_config::SdkConfig) -> Result<KmsKeys, String> {
    Ok(KmsKeys {
        token_key: create_kms_key(aws, "TokenKey: seals the OAuth tokens members connect").await?,
        webhook_key: create_kms_key(aws, "WebhookKey: seals webhook and Slack URLs and signing secrets").await?,
        staff_key: create_kms_key(aws, "StaffKey: seals staff members' second-factor secrets").await?,
    })
}

async fn create_kms_key(aws: &aws_config::SdkConfig, description: &str) -> Result<String, String> {
    let kms = aws_sdk_kms::Client::new(aws);
    let key =
        kms.create_key().description(description).send().await.map_err(|err| {
            format!("creating the key {description:?}: {}", aws_sdk_kms::error::DisplayErrorContext(err))
        })?;
    key.key_metadata.map(|metadata| metadata.key_id).ok_or_else(|| "KMS made a key without an id".to_owned())
}
