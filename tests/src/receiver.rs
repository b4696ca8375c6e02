//! A real HTTP receiver for webhook tests and benchmarks: an axum server on a free loopback port that
//! records every request and answers as told (succeed, fail the first N, always fail).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Succeed,
    /// Answer 500 to the first N requests, then 200.
    FailFirst(usize),
    /// Answer 503 to every request.
    AlwaysFail,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    seen: AtomicUsize,
    received: Mutex<Vec<Received>>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    let headers = headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    shared.received.lock().unwrap().push(Received { headers, body: String::from_utf8_lossy(&body).into_owned() });
    let seen = shared.seen.fetch_add(1, Ordering::SeqCst);
    match *shared.behaviour.lock().unwrap() {
        Behaviour::Succeed => (StatusCode::OK, "ok"),
        Behaviour::FailFirst(n) if seen < n => (StatusCode::INTERNAL_SERVER_ERROR, "not yet"),
        Behaviour::FailFirst(_) => (StatusCode::OK, "ok"),
        Behaviour::AlwaysFail => (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance"),
    }
}

impl Receiver {
    /// Starts a receiver on the current runtime.
    pub async fn start(behaviour: Behaviour) -> Self {
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(behaviour),
            seen: AtomicUsize::new(0),
            received: Mutex::new(Vec::new()),
        });
        let router = axum::Router::new().fallback(receive).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        tokio::spawn(async move { axum::serve(listener, router).await.expect("the receiver serves") });
        Self { url: format!("http://127.0.0.1:{port}/hooks"), shared }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.shared.received.lock().unwrap().len()
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }
}
