//! Macro text: a reply with placeholders (`{{customer.name}}`, `{{ticket.number}}`, `{{agent.name}}`)
//! filled in from the ticket it is applied to. A template is checked when it is saved, so applying a
//! macro never meets a placeholder it cannot fill.

/// The most characters a macro's name may have.
pub const MAX_MACRO_NAME_CHARS: usize = 80;

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    CustomerName,
    TicketNumber,
    AgentName,
}

impl Placeholder {
    pub const ALL: [Placeholder; 3] = [Placeholder::CustomerName, Placeholder::TicketNumber, Placeholder::AgentName];

    /// As written between the braces.
    pub fn as_str(self) -> &'static str {
        match self {
            Placeholder::CustomerName => "customer.name",
            Placeholder::TicketNumber => "ticket.number",
            Placeholder::AgentName => "agent.name",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Placeholder::ALL.into_iter().find(|placeholder| placeholder.as_str() == name)
    }
}

/// One piece of a template: literal text or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Slot(Placeholder),
}

/// Splits a template into text and placeholders; an unknown or unclosed placeholder is an error
/// naming it. Spaces inside the braces are allowed (`{{ agent.name }}`).
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| "has a `{{` that is never closed with `}}`".to_owned())?;
        let name = after[..close].trim();
        let placeholder = Placeholder::parse(name).ok_or_else(|| {
            let known: Vec<String> = Placeholder::ALL.iter().map(|p| format!("{{{{{}}}}}", p.as_str())).collect();
            format!("uses {{{{{name}}}}}, which is not a placeholder; use any of {}", known.join(", "))
        })?;
        out.push(Piece::Slot(placeholder));
        rest = &after[close + 2..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// Checks a template's placeholders (for a 422 when it is saved).
pub fn check_template(template: &str) -> Result<(), String> {
    pieces(template).map(|_| ())
}

/// The template with every placeholder replaced by what `fill` gives for it.
pub fn render(template: &str, fill: impl Fn(Placeholder) -> String) -> Result<String, String> {
    Ok(pieces(template)?
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_owned(),
            Piece::Slot(placeholder) => fill(placeholder),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(placeholder: Placeholder) -> String {
        match placeholder {
            Placeholder::CustomerName => "Ada".to_owned(),
            Placeholder::TicketNumber => "#1042".to_owned(),
            Placeholder::AgentName => "Grace".to_owned(),
        }
    }

    #[test]
    fn placeholders_are_filled_wherever_they_appear() {
        let text = render("Hi {{customer.name}}, about {{ ticket.number }}:\n— {{agent.name}}", fill).unwrap();
        assert_eq!(text, "Hi Ada, about #1042:\n— Grace");
        assert_eq!(render("No placeholders here.", fill).unwrap(), "No placeholders here.");
        assert_eq!(render("{{agent.name}}{{agent.name}}", fill).unwrap(), "GraceGrace");
    }

    #[test]
    fn an_unknown_or_unclosed_placeholder_is_named() {
        let unknown = check_template("Hi {{customer.email}}").unwrap_err();
        assert!(unknown.contains("{{customer.email}}"), "{unknown}");
        assert!(unknown.contains("{{customer.name}}, {{ticket.number}}, {{agent.name}}"), "{unknown}");
        assert!(check_template("Hi {{customer.name").unwrap_err().contains("never closed"));
        assert!(check_template("Braces alone { and } are text").is_ok());
    }
}
