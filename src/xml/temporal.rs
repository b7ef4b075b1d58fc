//! `xs:dateTime`, `xs:date`, `xs:time` and `xs:duration` values, on [`jiff`]'s civil
//! date-times and spans.
//!
//! EWS writes date-times in three ways: in UTC (`2026-11-27T18:00:00Z`), with an offset
//! (`…T23:30:00+05:30`), and with no zone at all (`9999-12-31T23:59:59.9999999`; the
//! request's `TimeZoneContext` then says where). [`Zone`] keeps which, and the number of
//! fractional digits written is kept too, so a value writes back as it was read.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use jiff::civil;
use jiff::tz::Offset;

use super::{is_xml_space, ValueError, XmlValue};

/// The zone designator of a date or time value, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// None: a local (floating) value; for EWS, in the request's time zone.
    Local,
    /// `Z`.
    Utc,
    /// `+hh:mm` or `-hh:mm` (`+00:00` stays apart from `Z`).
    Offset(Offset),
}

impl Zone {
    /// The offset from UTC, if the value has a zone.
    pub fn offset(&self) -> Option<Offset> {
        match self {
            Zone::Local => None,
            Zone::Utc => Some(Offset::UTC),
            Zone::Offset(offset) => Some(*offset),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Zone::Local => {}
            Zone::Utc => out.push('Z'),
            Zone::Offset(offset) => {
                let seconds = offset.seconds();
                let sign = if seconds < 0 { '-' } else { '+' };
                let minutes = seconds.unsigned_abs() / 60;
                out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
            }
        }
    }
}

/// An `xs:dateTime`: a civil date and time, its zone as written, and as many fractional
/// digits of the second as were written (up to nine; EWS writes up to seven).
#[derive(Debug, Clone, Copy)]
pub struct DateTime {
    civil: civil::DateTime,
    zone: Zone,
    digits: u8,
}

impl DateTime {
    /// The date-time `civil` in `zone`, written with the fractional digits its
    /// subsecond needs.
    pub fn new(civil: civil::DateTime, zone: Zone) -> Self {
        DateTime {
            civil,
            zone,
            digits: digits_needed(civil.subsec_nanosecond()),
        }
    }

    /// The instant `timestamp`, written in UTC (`Z`).
    pub fn from_timestamp(timestamp: jiff::Timestamp) -> Self {
        Self::new(Offset::UTC.to_datetime(timestamp), Zone::Utc)
    }

    /// The date and time as written, in [`zone`](Self::zone).
    pub fn civil(&self) -> civil::DateTime {
        self.civil
    }

    /// The zone designator as written.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// The instant, when the value has a zone.
    pub fn timestamp(&self) -> Option<jiff::Timestamp> {
        let offset = self.zone.offset()?;
        offset.to_timestamp(self.civil).ok()
    }
}

/// Two values are equal when they write the same date, time and zone; the number of
/// fractional digits written does not count (`…00.5Z` equals `…00.500Z`).
impl PartialEq for DateTime {
    fn eq(&self, other: &Self) -> bool {
        self.civil == other.civil && self.zone == other.zone
    }
}

impl Eq for DateTime {}

impl FromStr for DateTime {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        const ERR: ValueError = ValueError {
            expected: "xs:dateTime",
        };
        let text = text.trim_matches(is_xml_space);
        let (rest, zone) = split_zone(text).ok_or(ERR)?;
        let (date, time) = rest.split_once('T').ok_or(ERR)?;
        let date = parse_date(date).ok_or(ERR)?;
        let (time, digits) = parse_time(time).ok_or(ERR)?;
        Ok(DateTime {
            civil: date.to_datetime(time),
            zone,
            digits,
        })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(36);
        write_date(&mut out, self.civil.date());
        out.push('T');
        write_time(&mut out, self.civil.time(), self.digits);
        self.zone.write(&mut out);
        f.write_str(&out)
    }
}

/// An `xs:date`: a civil date and its zone as written (usually none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date {
    /// The date.
    pub civil: civil::Date,
    /// The zone designator as written.
    pub zone: Zone,
}

impl FromStr for Date {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        const ERR: ValueError = ValueError {
            expected: "xs:date",
        };
        let (rest, zone) = split_zone(text.trim_matches(is_xml_space)).ok_or(ERR)?;
        Ok(Date {
            civil: parse_date(rest).ok_or(ERR)?,
            zone,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(16);
        write_date(&mut out, self.civil);
        self.zone.write(&mut out);
        f.write_str(&out)
    }
}

/// An `xs:time`: a civil time of day, its zone as written, and its fractional digits.
#[derive(Debug, Clone, Copy)]
pub struct Time {
    civil: civil::Time,
    zone: Zone,
    digits: u8,
}

impl Time {
    /// The time `civil` in `zone`.
    pub fn new(civil: civil::Time, zone: Zone) -> Self {
        Time {
            civil,
            zone,
            digits: digits_needed(civil.subsec_nanosecond()),
        }
    }

    /// The time of day as written.
    pub fn civil(&self) -> civil::Time {
        self.civil
    }

    /// The zone designator as written.
    pub fn zone(&self) -> Zone {
        self.zone
    }
}

/// Equal when the time and zone are; fractional digits written do not count.
impl PartialEq for Time {
    fn eq(&self, other: &Self) -> bool {
        self.civil == other.civil && self.zone == other.zone
    }
}

impl Eq for Time {}

impl FromStr for Time {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        const ERR: ValueError = ValueError {
            expected: "xs:time",
        };
        let (rest, zone) = split_zone(text.trim_matches(is_xml_space)).ok_or(ERR)?;
        let (civil, digits) = parse_time(rest).ok_or(ERR)?;
        Ok(Time {
            civil,
            zone,
            digits,
        })
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(24);
        write_time(&mut out, self.civil, self.digits);
        self.zone.write(&mut out);
        f.write_str(&out)
    }
}

/// An `xs:duration`, as a [`jiff::Span`]: years, months and days are kept as written
/// (`P1Y2M`, as time-zone rules and reminders use them), not turned into seconds.
#[derive(Debug, Clone, Copy)]
pub struct Duration(pub jiff::Span);

/// Equal when every unit is (`PT60M` and `PT1H` differ, as they are written differently).
impl PartialEq for Duration {
    fn eq(&self, other: &Self) -> bool {
        self.0.fieldwise() == other.0.fieldwise()
    }
}

impl Eq for Duration {}

impl FromStr for Duration {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        const ERR: ValueError = ValueError {
            expected: "xs:duration",
        };
        let text = text.trim_matches(is_xml_space);
        // XSD durations are ISO 8601 ones with capital letters and no weeks.
        let body = text.strip_prefix('-').unwrap_or(text);
        if !body.starts_with('P')
            || body.ends_with('T')
            || body.len() < 3
            || body.contains(|c: char| c.is_ascii_lowercase() || c == 'W' || c == ',')
        {
            return Err(ERR);
        }
        text.parse::<jiff::Span>().map(Duration).map_err(|_| ERR)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

macro_rules! lexical {
    ($($ty:ty),*) => {$(
        impl XmlValue for $ty {
            fn from_text(text: &str) -> Result<Self, ValueError> {
                text.parse()
            }

            fn to_text(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }

        /// Serialized in its lexical form, as in XML.
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        /// Read back from its lexical form.
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <Cow<'de, str>>::deserialize(d)?;
                Self::from_text(&text).map_err(|e| {
                    serde::de::Error::custom(format_args!("{text:?} is not an {}", e.expected))
                })
            }
        }
    )*};
}

lexical!(DateTime, Date, Time, Duration);

/// How many fractional digits `nanos` needs (0 when whole).
fn digits_needed(nanos: i32) -> u8 {
    if nanos == 0 {
        return 0;
    }
    let mut digits = 9;
    let mut n = nanos;
    while n % 10 == 0 {
        n /= 10;
        digits -= 1;
    }
    digits
}

/// Splits a trailing zone designator off `text`.
fn split_zone(text: &str) -> Option<(&str, Zone)> {
    if let Some(rest) = text.strip_suffix('Z') {
        return Some((rest, Zone::Utc));
    }
    let bytes = text.as_bytes();
    if bytes.len() >= 6 {
        let at = bytes.len() - 6;
        let sign = bytes[at];
        if (sign == b'+' || sign == b'-') && bytes[at + 3] == b':' {
            let hours = two_digits(&bytes[at + 1..at + 3])?;
            let minutes = two_digits(&bytes[at + 4..at + 6])?;
            if hours > 14 || minutes > 59 || (hours == 14 && minutes > 0) {
                return None;
            }
            let mut seconds = i32::from(hours) * 3600 + i32::from(minutes) * 60;
            if sign == b'-' {
                seconds = -seconds;
            }
            let offset = Offset::from_seconds(seconds).ok()?;
            return Some((&text[..at], Zone::Offset(offset)));
        }
    }
    Some((text, Zone::Local))
}

fn two_digits(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `YYYY-MM-DD` (a year of four or more digits, maybe negative).
fn parse_date(text: &str) -> Option<civil::Date> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut parts = text.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() < 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let year = i16::try_from(digits(year)?).ok()?;
    let year = if negative { -year } else { year };
    let month = i8::try_from(digits(month)?).ok()?;
    let day = i8::try_from(digits(day)?).ok()?;
    civil::Date::new(year, month, day).ok()
}

/// `hh:mm:ss` with an optional fraction; the number of fraction digits written.
fn parse_time(text: &str) -> Option<(civil::Time, u8)> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let b = whole.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let hour = two_digits(&b[0..2])?;
    let minute = two_digits(&b[3..5])?;
    let second = two_digits(&b[6..8])?;
    let (nanos, count) = match fraction {
        None => (0, 0),
        Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(f) => {
            // Digits past the ninth (nanoseconds) are dropped.
            let kept = &f[..f.len().min(9)];
            let value = digits(kept)? * 10_i64.pow(9 - kept.len() as u32);
            (value as i32, kept.len() as u8)
        }
    };
    let time = civil::Time::new(hour as i8, minute as i8, second as i8, nanos).ok()?;
    Some((time, count))
}

fn write_date(out: &mut String, date: civil::Date) {
    let year = date.year();
    if year < 0 {
        out.push('-');
    }
    out.push_str(&format!(
        "{:04}-{:02}-{:02}",
        year.unsigned_abs(),
        date.month(),
        date.day()
    ));
}

fn write_time(out: &mut String, time: civil::Time, digits: u8) {
    out.push_str(&format!(
        "{:02}:{:02}:{:02}",
        time.hour(),
        time.minute(),
        time.second()
    ));
    if digits > 0 {
        let fraction = format!("{:09}", time.subsec_nanosecond());
        out.push('.');
        out.push_str(&fraction[..usize::from(digits.min(9))]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: XmlValue + fmt::Debug + PartialEq>(text: &str) -> T {
        let value = T::from_text(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(value.to_text(), text, "written back");
        value
    }

    #[test]
    fn date_times_keep_their_zone_and_digits() {
        let utc: DateTime = round_trip("2026-11-27T18:00:00Z");
        assert_eq!(utc.zone(), Zone::Utc);
        let plus_zero: DateTime = round_trip("2026-11-27T18:00:00+00:00");
        assert_ne!(utc, plus_zero, "Z and +00:00 stay apart");
        assert_eq!(utc.timestamp(), plus_zero.timestamp(), "the same instant");
        let india: DateTime = round_trip("2026-11-27T23:30:00+05:30");
        assert_eq!(india.timestamp(), utc.timestamp());
        let never: DateTime = round_trip("9999-12-31T23:59:59.9999999");
        assert_eq!(never.zone(), Zone::Local);
        assert_eq!(never.timestamp(), None, "no zone, no instant");
        assert_eq!(never.civil().subsec_nanosecond(), 999_999_900);
        let millis: DateTime = round_trip("2026-01-05T23:06:58.500Z");
        assert_eq!(millis, "2026-01-05T23:06:58.5Z".parse().unwrap());
        round_trip::<DateTime>("-0044-03-15T12:00:00-01:00");
    }

    #[test]
    fn invalid_date_times_are_refused() {
        for text in [
            "yesterday",
            "",
            "2026-11-27",
            "2026-11-27T18:00",
            "2026-02-30T00:00:00Z",
            "2026-11-27T25:00:00Z",
            "2026-11-27T18:00:00.Z",
            "2026-11-27T18:00:00+15:00",
            "2026-11-27 18:00:00Z",
            "26-11-27T18:00:00Z",
        ] {
            assert_eq!(
                DateTime::from_text(text),
                Err(ValueError {
                    expected: "xs:dateTime"
                }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn dates_and_times() {
        let date: Date = round_trip("2026-11-27");
        assert_eq!(date.zone, Zone::Local);
        round_trip::<Date>("2026-11-27Z");
        round_trip::<Date>("2026-11-27-08:00");
        assert!(Date::from_text("2026-13-01").is_err());
        let time: Time = round_trip("08:30:00");
        assert_eq!(time.civil().hour(), 8);
        round_trip::<Time>("08:30:00.1234567Z");
        assert!(Time::from_text("8:30:00").is_err());
    }

    #[test]
    fn durations_keep_years_and_months_and_signs() {
        let d: Duration = round_trip("P1Y2M3DT4H5M6S");
        assert_eq!(d.0.get_years(), 1);
        assert_eq!(d.0.get_months(), 2);
        let negative: Duration = round_trip("-P1D");
        assert!(negative.0.is_negative());
        round_trip::<Duration>("PT15M");
        round_trip::<Duration>("P1Y");
        let fraction = Duration::from_text("PT1.5S").unwrap();
        assert_eq!(fraction.0.get_milliseconds(), 500);
        for text in ["", "P", "PT", "1Y", "P1W", "p1d", "P1Y2M3DT", "soon"] {
            assert!(Duration::from_text(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn serde_writes_the_lexical_form() {
        let value: DateTime = "2026-11-27T23:30:00.1234567+05:30".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            "\"2026-11-27T23:30:00.1234567+05:30\""
        );
    }
}
