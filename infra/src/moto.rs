//! Starts the local AWS stand-in (moto's server from the project's venv) on a free loopback port.

use std::{path::Path, process::Stdio, time::Duration};

use tokio::process::{Child, Command};

pub struct Moto {
    pub endpoint: String,
    child: Child,
}

impl Moto {
    pub async fn start(python: &Path, launcher: &Path) -> Result<Self, String> {
        if !python.exists() {
            return Err(format!("{} is missing: run `make setup` first", python.display()));
        }
        let port = crate::free_port()?;
        let child = Command::new(python)
            .arg(launcher)
            .arg("127.0.0.1")
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| format!("starting moto: {err}"))?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let mut moto = Self { endpoint, child };
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Ok(moto);
            }
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!("moto exited at start ({status})"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("moto did not start within 15 s".to_owned())
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
