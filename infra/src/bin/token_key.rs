//! Makes a token signing key pair for a deployment (docs/operations.md "Token and cursor keys"):
//! `token-key <member|staff|socket> [kid]` prints the Secrets Manager secret value (the private key)
//! on the first line and the public JWK on the second, to add to the audience's key set.

use shared::auth::tokens::Audience;

fn main() {
    let mut args = std::env::args().skip(1);
    let audience = match args.next().as_deref() {
        Some("member") => Audience::Member,
        Some("staff") => Audience::Staff,
        Some("socket") => Audience::Socket,
        _ => {
            eprintln!("usage: token-key <member|staff|socket> [kid]");
            std::process::exit(2);
        }
    };
    let mut key = local_stack::token_keys::generate(audience, String::new());
    if let Some(kid) = args.next() {
        key = local_stack::token_keys::with_kid(key, &kid);
    }
    let public: serde_json::Value = serde_json::from_str(&key.public_keys).expect("a JWK set");
    println!("{}", key.secret_value);
    println!("{}", public["keys"][0]);
}
