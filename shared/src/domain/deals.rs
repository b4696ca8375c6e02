//! Deals and pipelines: money in integer minor units of an ISO 4217 currency, stage probabilities,
//! the open/won/lost status, and how long a deal has sat in its stage.
//!
//! A deal takes its stage's probability when it enters the stage, unless the deal overrides it; the
//! weighted value is `value × probability / 100`. Totals are never added across currencies.

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::ids::StageId;

/// The most stages one pipeline may have (a kanban board shows them side by side).
pub const MAX_STAGES: usize = 20;
pub const MAX_STAGE_NAME_CHARS: usize = 60;
pub const MAX_PIPELINE_NAME_CHARS: usize = 80;
pub const MAX_DEAL_TITLE_CHARS: usize = 200;
pub const MAX_COMPANY_CHARS: usize = 200;
pub const MAX_LOST_REASON_CHARS: usize = 500;
/// The most contacts (customers) one deal may name: each is checked in the deal's transaction.
pub const MAX_CONTACTS: usize = 20;
/// The most days a stage may let a deal sit before it counts as stuck.
pub const MAX_ROTTING_DAYS: u32 = 3650;
/// The largest value a deal may have, in minor units (ten trillion of a two-decimal currency): far
/// below where a sum of many deals' weighted values could overflow.
pub const MAX_VALUE_MINOR: i64 = 1_000_000_000_000_000;

/// ISO 4217 codes of currencies in use (funds, precious metals and test codes are not money a deal is
/// priced in).
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD \
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP \
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD \
    KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR \
    NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP \
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF \
    YER ZAR ZMW ZWG";

/// Currencies without minor units (the value is in whole units).
const NO_MINOR_UNITS: &str = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
/// Currencies with three decimals.
const THREE_DECIMALS: &str = "BHD IQD JOD KWD LYD OMR TND";
/// Currencies with four decimals.
const FOUR_DECIMALS: &str = "CLF UYW";

/// An ISO 4217 currency code, upper case (e.g. `EUR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Every code `parse` takes, for the API document.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        ISO_4217.split_whitespace()
    }

    /// Parses a code, in any case; refuses a code that is not an ISO 4217 currency.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        let known = code.len() == 3 && ISO_4217.split_whitespace().any(|listed| listed == code);
        if !known {
            return Err(format!("{raw:?} is not an ISO 4217 currency code (e.g. EUR, USD, JPY)"));
        }
        let bytes = code.as_bytes();
        Ok(Self([bytes[0], bytes[1], bytes[2]]))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many decimals the minor unit has: 2 for EUR (cents), 0 for JPY, 3 for KWD.
    pub fn exponent(&self) -> u8 {
        let listed = |list: &str| list.split_whitespace().any(|code| code == self.as_str());
        if listed(NO_MINOR_UNITS) {
            0
        } else if listed(THREE_DECIMALS) {
            3
        } else if listed(FOUR_DECIMALS) {
            4
        } else {
            2
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.as_str().to_owned()
    }
}

/// A deal's value: a whole number of minor units, from zero up to [`MAX_VALUE_MINOR`].
pub fn parse_value(raw: i64) -> Result<i64, String> {
    if (0..=MAX_VALUE_MINOR).contains(&raw) {
        Ok(raw)
    } else {
        Err(format!("must be a whole number of minor units from 0 to {MAX_VALUE_MINOR}"))
    }
}

/// A win probability in percent.
pub fn parse_probability(raw: i64) -> Result<u8, String> {
    u8::try_from(raw).ok().filter(|percent| *percent <= 100).ok_or_else(|| "must be a percentage from 0 to 100".into())
}

/// Days in a stage after which a deal counts as stuck.
pub fn parse_rotting_days(raw: i64) -> Result<u32, String> {
    u32::try_from(raw)
        .ok()
        .filter(|days| (1..=MAX_ROTTING_DAYS).contains(days))
        .ok_or_else(|| format!("must be a number of days from 1 to {MAX_ROTTING_DAYS}"))
}

/// The weighted value in hundredths of a minor unit (`value × percent`): kept as such in counters so
/// their sums stay exact; divide by 100 to show it.
pub fn weighted_hundredths(value: i64, probability: u8) -> i64 {
    value * i64::from(probability)
}

/// A weighted sum in hundredths shown in minor units, rounded half up.
pub fn weighted_minor(hundredths: i64) -> i64 {
    (hundredths + 50).div_euclid(100)
}

/// Where a deal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

impl DealStatus {
    pub const ALL: [DealStatus; 3] = [DealStatus::Open, DealStatus::Won, DealStatus::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            DealStatus::Open => "open",
            DealStatus::Won => "won",
            DealStatus::Lost => "lost",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        DealStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == raw.trim())
            .ok_or_else(|| "must be one of open, won, lost".to_owned())
    }
}

/// One stage of a pipeline.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stage {
    pub id: StageId,
    pub name: String,
    /// The win probability of a deal in this stage, in percent.
    pub probability: u8,
    /// After this many days in the stage, an open deal is stuck.
    #[serde(default)]
    pub rotting_days: Option<u32>,
}

/// Checks a pipeline's stages as a whole: at least one, at most [`MAX_STAGES`], names unique
/// (ignoring case).
pub fn check_stages(stages: &[Stage]) -> Result<(), String> {
    if stages.is_empty() {
        return Err("must have at least one stage".to_owned());
    }
    if stages.len() > MAX_STAGES {
        return Err(format!("at most {MAX_STAGES} stages"));
    }
    for (index, stage) in stages.iter().enumerate() {
        let clash = stages[..index].iter().any(|earlier| earlier.name.to_lowercase() == stage.name.to_lowercase());
        if clash {
            return Err(format!("has two stages named {:?}", stage.name));
        }
        if stages[..index].iter().any(|earlier| earlier.id == stage.id) {
            return Err(format!("names stage {} twice", stage.id));
        }
    }
    Ok(())
}

/// The stages of `before` that `after` no longer has.
pub fn removed_stages(before: &[Stage], after: &[Stage]) -> Vec<StageId> {
    before.iter().filter(|old| !after.iter().any(|new| new.id == old.id)).map(|old| old.id).collect()
}

/// The stages a new workspace's first pipeline starts with: (name, probability).
pub const DEFAULT_STAGES: [(&str, u8); 5] =
    [("Qualified", 10), ("Contact made", 20), ("Demo scheduled", 40), ("Proposal made", 60), ("Negotiation", 80)];
pub const DEFAULT_PIPELINE_NAME: &str = "Sales pipeline";

/// How long a deal has been in its stage (zero if the clocks disagree).
pub fn time_in_stage(entered_at: Timestamp, now: Timestamp) -> SignedDuration {
    now.duration_since(entered_at).max(SignedDuration::ZERO)
}

/// Whether an open deal has sat in its stage longer than the stage lets it.
pub fn is_stuck(status: DealStatus, entered_at: Timestamp, now: Timestamp, rotting_days: Option<u32>) -> bool {
    let Some(days) = rotting_days else { return false };
    status == DealStatus::Open && time_in_stage(entered_at, now) > SignedDuration::from_hours(24 * i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str) -> Stage {
        Stage { id: StageId::generate(), name: name.to_owned(), probability: 50, rotting_days: None }
    }

    #[test]
    fn currencies_are_iso_4217_codes_in_any_case() {
        assert_eq!(Currency::parse("eur").unwrap().as_str(), "EUR");
        assert_eq!(Currency::parse(" USD ").unwrap().to_string(), "USD");
        assert!(Currency::parse("EURO").unwrap_err().contains("ISO 4217"));
        assert!(Currency::parse("ABC").is_err());
        assert!(Currency::parse("XAU").is_err(), "gold is not a deal currency");
        assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().exponent(), 3);
        assert_eq!(Currency::parse("EUR").unwrap().exponent(), 2);
        let stored = serde_json::to_value(Currency::parse("gbp").unwrap()).unwrap();
        assert_eq!(stored, "GBP");
        assert!(serde_json::from_value::<Currency>("nope".into()).is_err());
    }

    #[test]
    fn values_and_probabilities_stay_in_range() {
        assert_eq!(parse_value(0), Ok(0));
        assert!(parse_value(-1).is_err());
        assert!(parse_value(MAX_VALUE_MINOR + 1).is_err());
        assert_eq!(parse_probability(100), Ok(100));
        assert!(parse_probability(101).is_err() && parse_probability(-5).is_err());
        assert!(parse_rotting_days(0).is_err());
        assert_eq!(parse_rotting_days(14), Ok(14));
    }

    #[test]
    fn weighted_values_are_exact_in_hundredths_and_rounded_when_shown() {
        assert_eq!(weighted_hundredths(1999, 30), 59_970);
        assert_eq!(weighted_minor(59_970), 600);
        assert_eq!(weighted_minor(59_949), 599);
        assert_eq!(weighted_minor(0), 0);
    }

    #[test]
    fn stages_need_unique_names_and_removals_are_found() {
        let (a, b) = (stage("Lead in"), stage("Won over"));
        assert!(check_stages(&[a.clone(), b.clone()]).is_ok());
        assert!(check_stages(&[]).is_err());
        assert!(check_stages(&[a.clone(), stage("lead IN")]).unwrap_err().contains("two stages named"));
        assert_eq!(removed_stages(&[a.clone(), b.clone()], std::slice::from_ref(&b)), [a.id]);
        assert!(removed_stages(std::slice::from_ref(&a), &[b, a.clone()]).is_empty());
    }

    #[test]
    fn an_open_deal_is_stuck_once_past_its_stages_rotting_days() {
        let entered = Timestamp::from_second(1_800_000_000).unwrap();
        let later = |days: i64| entered + SignedDuration::from_hours(24 * days);
        assert!(!is_stuck(DealStatus::Open, entered, later(3), Some(3)));
        assert!(is_stuck(DealStatus::Open, entered, later(3) + SignedDuration::from_secs(1), Some(3)));
        assert!(!is_stuck(DealStatus::Won, entered, later(30), Some(3)), "a closed deal is not stuck");
        assert!(!is_stuck(DealStatus::Open, entered, later(300), None), "the stage never rots");
        assert_eq!(time_in_stage(later(1), entered), SignedDuration::ZERO);
    }
}
