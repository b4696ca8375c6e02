//! The WebSocket API's connections, reached through API Gateway's management API: posting a frame to one.

use serde_json::Value;
use thiserror::Error;

use crate::lazy_client::LazyClient;

#[derive(Debug, Error)]
pub enum SocketError {
    /// The process was started without the management endpoint (it pushes nothing live).
    #[error("no WebSocket management endpoint is configured")]
    NotConfigured,
    /// API Gateway no longer knows the connection (410): the client went away, or has not finished the
    /// handshake yet.
    #[error("the connection is gone")]
    Gone,
    #[error("posting to a connection failed: {0}")]
    Backend(String),
}

#[derive(Debug, Clone)]
pub struct Sockets {
    client: Option<LazyClient<aws_sdk_apigatewaymanagement::Client>>,
}

impl Sockets {
    /// Over a management API client for the WebSocket stage; None: a process that pushes nothing live.
    pub fn new(client: Option<LazyClient<aws_sdk_apigatewaymanagement::Client>>) -> Self {
        Self { client }
    }

    /// Whether frames can be posted at all (callers skip reading connections when not).
    pub fn is_configured(&self) -> bool {
        self.client.is_some()
    }

    /// Closes the connection (DeleteConnection); one already gone is fine.
    pub async fn close_connection(&self, connection_id: &str) -> Result<(), SocketError> {
        use aws_sdk_apigatewaymanagement::operation::delete_connection::DeleteConnectionError;
        let client = self.client.as_ref().ok_or(SocketError::NotConfigured)?;
        match client.delete_connection().connection_id(connection_id).send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                DeleteConnectionError::GoneException(_) => Ok(()),
                other => Err(SocketError::Backend(
                    aws_sdk_apigatewaymanagement::error::DisplayErrorContext(other).to_string(),
                )),
            },
        }
    }

    /// Posts `frame` (as JSON text) to the connection.
    pub async fn post_to_connection(&self, connection_id: &str, frame: &Value) -> Result<(), SocketError> {
        use aws_sdk_apigatewaymanagement::{operation::post_to_connection::PostToConnectionError, primitives::Blob};
        let client = self.client.as_ref().ok_or(SocketError::NotConfigured)?;
        let data = Blob::new(serde_json::to_vec(frame).unwrap_or_default());
        match client.post_to_connection().connection_id(connection_id).data(data).send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                PostToConnectionError::GoneException(_) => Err(SocketError::Gone),
                other => Err(SocketError::Backend(
                    aws_sdk_apigatewaymanagement::error::DisplayErrorContext(other).to_string(),
                )),
            },
        }
    }
}
