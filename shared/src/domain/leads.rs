//! Sales leads, the pure part: where a lead came from, the workspace's status set (with the two
//! statuses whose meaning is fixed), the score range, and who may change a lead.

use serde::{Deserialize, Serialize};

use super::ids::UserId;
use super::rbac::{Permission, Role};

/// Where a lead came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    WebForm,
    Typeform,
    Zapier,
    Import,
    Manual,
    Referral,
    Other,
}

impl LeadSource {
    pub const ALL: [LeadSource; 7] = [
        LeadSource::WebForm,
        LeadSource::Typeform,
        LeadSource::Zapier,
        LeadSource::Import,
        LeadSource::Manual,
        LeadSource::Referral,
        LeadSource::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadSource::WebForm => "web_form",
            LeadSource::Typeform => "typeform",
            LeadSource::Zapier => "zapier",
            LeadSource::Import => "import",
            LeadSource::Manual => "manual",
            LeadSource::Referral => "referral",
            LeadSource::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|source| source.as_str() == raw)
            .ok_or_else(|| format!("must be one of {}", Self::ALL.map(LeadSource::as_str).join(", ")))
    }
}

/// What a status means to the product, whatever the workspace calls it. Conversion sets the
/// `converted` status; reports count `unqualified` leads as lost; every other status is a step of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusMeaning {
    Open,
    Converted,
    Unqualified,
}

impl StatusMeaning {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusMeaning::Open => "open",
            StatusMeaning::Converted => "converted",
            StatusMeaning::Unqualified => "unqualified",
        }
    }
}

/// One status of the workspace's set: its key (stored on leads), label and meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadStatus {
    pub key: String,
    pub label: String,
    pub meaning: StatusMeaning,
}

pub const MAX_STATUSES: usize = 20;
pub const MAX_STATUS_KEY_CHARS: usize = 32;
pub const MAX_STATUS_LABEL_CHARS: usize = 40;

/// A status key: 1 to 32 lower-case letters, digits or `_`, as it appears in filters and counters.
pub fn parse_status_key(raw: &str) -> Result<String, String> {
    let key = raw.trim();
    if key.is_empty() || key.chars().count() > MAX_STATUS_KEY_CHARS {
        return Err(format!("must be 1 to {MAX_STATUS_KEY_CHARS} characters"));
    }
    if !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(format!("{key:?} may only contain lower-case letters, digits and _"));
    }
    Ok(key.to_owned())
}

/// The workspace's lead statuses, in the order the product shows them. Always exactly one status
/// means `converted` and exactly one means `unqualified`; the first `open` one is where new leads start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadStatuses {
    statuses: Vec<LeadStatus>,
}

impl Default for LeadStatuses {
    /// new → contacted → qualified, then unqualified or converted.
    fn default() -> Self {
        let status =
            |key: &str, label: &str, meaning| LeadStatus { key: key.to_owned(), label: label.to_owned(), meaning };
        Self {
            statuses: vec![
                status("new", "New", StatusMeaning::Open),
                status("contacted", "Contacted", StatusMeaning::Open),
                status("qualified", "Qualified", StatusMeaning::Open),
                status("unqualified", "Unqualified", StatusMeaning::Unqualified),
                status("converted", "Converted", StatusMeaning::Converted),
            ],
        }
    }
}

impl LeadStatuses {
    /// A set as given: 3 to 20 unique keys, exactly one meaning `converted` and one meaning
    /// `unqualified` (so at least one is open, for new leads to start in).
    pub fn new(statuses: Vec<LeadStatus>) -> Result<Self, String> {
        if statuses.len() < 3 || statuses.len() > MAX_STATUSES {
            return Err(format!("must hold 3 to {MAX_STATUSES} statuses"));
        }
        for (index, status) in statuses.iter().enumerate() {
            if statuses[..index].iter().any(|earlier| earlier.key == status.key) {
                return Err(format!("{:?} appears twice", status.key));
            }
        }
        let with = |meaning| statuses.iter().filter(|status| status.meaning == meaning).count();
        if with(StatusMeaning::Converted) != 1 {
            return Err("exactly one status must mean converted".to_owned());
        }
        if with(StatusMeaning::Unqualified) != 1 {
            return Err("exactly one status must mean unqualified".to_owned());
        }
        Ok(Self { statuses })
    }

    pub fn all(&self) -> &[LeadStatus] {
        &self.statuses
    }

    pub fn get(&self, key: &str) -> Option<&LeadStatus> {
        self.statuses.iter().find(|status| status.key == key)
    }

    /// Where a new lead starts: the first open status.
    pub fn initial(&self) -> &LeadStatus {
        self.statuses.iter().find(|status| status.meaning == StatusMeaning::Open).expect("a set holds an open status")
    }

    /// The one status meaning `converted`.
    pub fn converted(&self) -> &LeadStatus {
        self.statuses
            .iter()
            .find(|status| status.meaning == StatusMeaning::Converted)
            .expect("a set holds one converted status")
    }

    /// A status a person may set by editing a lead: any of the set but the converted one, which only a
    /// conversion sets (it creates the customer too).
    pub fn settable(&self, key: &str) -> Result<&LeadStatus, String> {
        match self.get(key) {
            Some(status) if status.meaning == StatusMeaning::Converted => {
                Err(format!("{key:?} is set by converting the lead (POST /api/v1/leads/{{id}}/convert)"))
            }
            Some(status) => Ok(status),
            None => Err(format!(
                "must be one of the workspace's statuses: {}",
                self.statuses.iter().map(|status| status.key.as_str()).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// A lead's score, set by people or rules: 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    pub const MAX: u8 = 100;

    pub fn parse(raw: i64) -> Result<Self, String> {
        u8::try_from(raw)
            .ok()
            .filter(|score| *score <= Self::MAX)
            .map(Score)
            .ok_or_else(|| "must be 0 to 100".to_owned())
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Score {
    type Error = String;

    fn try_from(raw: u8) -> Result<Self, Self::Error> {
        Self::parse(i64::from(raw))
    }
}

impl From<Score> for u8 {
    fn from(score: Score) -> Self {
        score.0
    }
}

/// Who may change a lead (its fields, status, notes; deleting, merging and converting it): with
/// `sales:manage` anyone's; with `sales:write` one they own or nobody owns.
pub fn may_change(role: Role, caller: UserId, owner: Option<UserId>) -> bool {
    role.can(Permission::SalesManage) || (role.can(Permission::SalesWrite) && owner.is_none_or(|owner| owner == caller))
}

/// Who may set a lead's owner to `new_owner`: with `sales:manage` to anyone; with `sales:write` only to
/// themselves, taking a lead nobody owns (or one they own already).
pub fn may_assign(role: Role, caller: UserId, owner: Option<UserId>, new_owner: Option<UserId>) -> bool {
    role.can(Permission::SalesManage)
        || (role.can(Permission::SalesWrite) && owner.is_none_or(|owner| owner == caller) && new_owner == Some(caller))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(key: &str, meaning: StatusMeaning) -> LeadStatus {
        LeadStatus { key: key.to_owned(), label: key.to_uppercase(), meaning }
    }

    #[test]
    fn the_default_set_starts_new_leads_as_new_and_converts_to_converted() {
        let set = LeadStatuses::default();
        assert_eq!(set.initial().key, "new");
        assert_eq!(set.converted().key, "converted");
        assert_eq!(set.all().len(), 5);
        assert!(set.settable("qualified").is_ok());
        assert!(set.settable("converted").unwrap_err().contains("convert"));
        assert!(set.settable("won").unwrap_err().contains("new, contacted, qualified, unqualified, converted"));
    }

    #[test]
    fn a_status_set_keeps_the_fixed_meanings() {
        use StatusMeaning::*;
        let ok = LeadStatuses::new(vec![status("fresh", Open), status("dead", Unqualified), status("won", Converted)]);
        assert_eq!(ok.unwrap().initial().key, "fresh");
        let no_converted = LeadStatuses::new(vec![status("a", Open), status("b", Unqualified), status("c", Open)]);
        assert!(no_converted.unwrap_err().contains("converted"));
        let two_unqualified = LeadStatuses::new(vec![
            status("a", Open),
            status("b", Unqualified),
            status("c", Unqualified),
            status("d", Converted),
        ]);
        assert!(two_unqualified.unwrap_err().contains("unqualified"));
        let too_few = LeadStatuses::new(vec![status("b", Unqualified), status("d", Converted)]);
        assert!(too_few.unwrap_err().contains("3 to 20"));
        let twice = LeadStatuses::new(vec![status("a", Open), status("a", Unqualified), status("d", Converted)]);
        assert!(twice.unwrap_err().contains("twice"));
    }

    #[test]
    fn status_keys_are_slugs() {
        assert_eq!(parse_status_key(" demo_booked "), Ok("demo_booked".to_owned()));
        assert!(parse_status_key("Demo Booked").is_err());
        assert!(parse_status_key("").is_err());
        assert!(parse_status_key(&"a".repeat(33)).is_err());
    }

    #[test]
    fn scores_run_from_0_to_100() {
        assert_eq!(Score::parse(0).unwrap().value(), 0);
        assert_eq!(Score::parse(100).unwrap().value(), 100);
        assert!(Score::parse(101).is_err());
        assert!(Score::parse(-1).is_err());
        assert!(serde_json::from_value::<Score>(serde_json::json!(120)).is_err());
    }

    #[test]
    fn sources_have_stable_wire_names() {
        for source in LeadSource::ALL {
            assert_eq!(LeadSource::parse(source.as_str()), Ok(source));
            assert_eq!(serde_json::to_value(source).unwrap(), source.as_str());
        }
        assert!(LeadSource::parse("fax").unwrap_err().contains("web_form"));
    }

    #[test]
    fn reps_change_their_own_or_unowned_leads_and_managers_any() {
        let (rep, other) = (UserId::generate(), UserId::generate());
        assert!(may_change(Role::Agent, rep, Some(rep)));
        assert!(may_change(Role::Agent, rep, None));
        assert!(!may_change(Role::Agent, rep, Some(other)));
        assert!(may_change(Role::Manager, rep, Some(other)));
        assert!(!may_change(Role::Viewer, rep, None));
    }

    #[test]
    fn reps_take_unowned_leads_but_only_managers_reassign() {
        let (rep, other) = (UserId::generate(), UserId::generate());
        assert!(may_assign(Role::Agent, rep, None, Some(rep)));
        assert!(!may_assign(Role::Agent, rep, None, Some(other)));
        assert!(!may_assign(Role::Agent, rep, Some(rep), Some(other)), "handing a lead to someone else");
        assert!(!may_assign(Role::Agent, rep, Some(rep), None));
        assert!(may_assign(Role::Manager, rep, Some(other), Some(rep)));
        assert!(may_assign(Role::Admin, rep, Some(other), None));
    }
}
