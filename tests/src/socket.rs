//! A WebSocket client for black-box tests: connects to the stack's WebSocket API like a browser would
//! (a socket token from POST /api/v1/me/socket-token in the query), sends action frames and waits for
//! the frames it expects, with a timeout.

use std::{collections::VecDeque, time::Duration};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

use crate::stack;

/// How long a test waits for a frame before it fails (generous: two cores, four builds).
pub const WAIT: Duration = Duration::from_secs(15);

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames read while waiting for another one, in arrival order.
    unread: VecDeque<Value>,
    next_ref: u64,
}

/// The WebSocket URL of the stack, with `query` (e.g. `token=...`).
pub fn url(query: &str) -> String {
    format!("{}/ws?{query}", stack().url.replacen("http://", "ws://", 1))
}

/// The status a refused handshake answered with.
pub async fn refused_status(query: &str) -> u16 {
    match tokio_tungstenite::connect_async(url(query)).await {
        Ok(_) => panic!("the handshake with {query:?} was accepted"),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(err) => panic!("the handshake failed without an HTTP answer: {err}"),
    }
}

/// A socket token for the member whose access token this is, as the web app gets one before connecting.
pub async fn socket_token(access_token: &str) -> String {
    let reply =
        crate::Client::new().with_token(access_token).post("/api/v1/me/socket-token", json!({})).await.expect(200);
    assert_eq!(reply.body["expires_in"], 60, "{}", reply.body);
    reply.body["token"].as_str().expect("a token").to_owned()
}

impl Socket {
    /// Gets a socket token for the member with `access_token`, connects with it and says hello; panics
    /// unless welcomed.
    pub async fn connect(access_token: &str) -> Self {
        Self::connect_with_socket_token(&socket_token(access_token).await).await
    }

    /// Connects with a socket token and says hello; panics unless welcomed.
    pub async fn connect_with_socket_token(token: &str) -> Self {
        let (stream, _) = tokio_tungstenite::connect_async(url(&format!("token={token}")))
            .await
            .unwrap_or_else(|err| panic!("the handshake failed: {err}"));
        let mut socket = Self { stream, unread: VecDeque::new(), next_ref: 0 };
        let welcome = socket.request(json!({"action": "hello"})).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        socket
    }

    pub async fn send_text(&mut self, text: String) {
        self.stream.send(Message::Text(text.into())).await.expect("the socket takes a frame");
    }

    /// Sends an action frame with a fresh `ref` and returns the reply carrying it.
    pub async fn request(&mut self, mut frame: Value) -> Value {
        self.next_ref += 1;
        let reference = format!("r{}", self.next_ref);
        frame["ref"] = reference.clone().into();
        self.send_text(frame.to_string()).await;
        self.expect(|f| f["ref"] == reference.as_str()).await
    }

    async fn read(&mut self, within: Duration) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(within, self.stream.next()).await.ok()??;
            match message.expect("the socket stays open") {
                Message::Text(text) => {
                    return Some(serde_json::from_str(&text).unwrap_or_else(|_| panic!("a JSON frame: {text}")));
                }
                Message::Close(close) => panic!("the server closed the socket: {close:?}"),
                _ => continue,
            }
        }
    }

    /// The first frame (buffered or new) that `matches`; the others stay buffered. Panics after [`WAIT`].
    pub async fn expect(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.unread.iter().position(&matches) {
            return self.unread.remove(index).expect("indexed");
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(frame) = self.read(left).await else {
                panic!("no matching frame within {WAIT:?}; received instead: {:?}", self.unread)
            };
            if matches(&frame) {
                return frame;
            }
            self.unread.push_back(frame);
        }
    }

    /// Every frame received so far (buffered or waiting on the socket), without waiting for more.
    pub async fn drain(&mut self) -> Vec<Value> {
        while let Some(frame) = self.read(Duration::from_millis(1)).await {
            self.unread.push_back(frame);
        }
        self.unread.drain(..).collect()
    }

    /// Waits (up to `within`) for the server to close the socket, skipping any frames before that, and
    /// returns the close code it sent: None when the connection ended without a close frame. Panics if
    /// the socket is still open after `within`.
    pub async fn closed_within(mut self, within: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.stream.next()).await {
                Err(_) => panic!("the socket is still open after {within:?}"),
                Ok(None | Some(Err(_))) => return None,
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|frame| u16::from(frame.code)),
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}
