//! `local-stack [--port N] [--seed] [--url-file PATH] [--clock-control]`: runs Switchboard on this machine
//! until Ctrl-C. `--url-file` writes the gateway's URL to PATH once it is serving (for scripts that start it
//! on port 0); `--clock-control` serves `POST /__local/clock` so tests can move the clock forward (SLA
//! targets passing without waiting for them).

use local_stack::{StackOptions, seed};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    shared::telemetry::init();
    let mut options = StackOptions {
        port: std::env::var("PORT").ok().and_then(|port| port.parse().ok()).unwrap_or(3000),
        // `make dev` is the product: it limits each address as the web ACL does.
        edge_rate_limits: true,
        ..StackOptions::default()
    };
    let mut url_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => options.port = args.next().and_then(|port| port.parse().ok()).unwrap_or(options.port),
            "--seed" => options.seed_demo = true,
            "--url-file" => url_file = args.next(),
            "--clock-control" => options.clock_control = true,
            other => {
                eprintln!(
                    "unknown argument {other:?}; usage: local-stack [--port N] [--seed] [--url-file PATH] [--clock-control]"
                );
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let stack = match local_stack::start(options.clone()).await {
        Ok(stack) => stack,
        Err(err) => {
            eprintln!("local stack failed to start: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(path) = &url_file
        && let Err(err) = std::fs::write(path, &stack.url)
    {
        eprintln!("writing the URL to {path}: {err}");
        stack.stop().await;
        return std::process::ExitCode::FAILURE;
    }
    println!();
    println!("  Switchboard is running at {}", stack.url);
    println!("  Web app:         {}/  (build it with `make web`; `make dev` does)", stack.url);
    println!("  API reference:   {}/api/docs", stack.url);
    println!("  WebSocket API:   {}/ws?token=<access token>", stack.url.replacen("http://", "ws://", 1));
    println!("  Local AWS:       {}", stack.aws_endpoint);
    if options.seed_demo {
        println!("  Demo workspace:  {}", seed::DEMO_WORKSPACE);
        for login in [seed::DEMO_OWNER, seed::DEMO_AGENT, seed::DEMO_STAFF] {
            println!("    {:<15} {} / {}", login.role, login.email, login.password);
        }
    }
    println!("  Ctrl-C stops everything.");
    println!();
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    stack.stop().await;
    std::process::ExitCode::SUCCESS
}
