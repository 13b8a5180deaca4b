//! The cheap path of number validation: `phonenumber`'s verdict without `phonenumber`'s parse.
//!
//! `phonenumber::parse` plus `is_valid` cost about 6 us per never-seen number, mostly in its
//! regex cache (every pattern is looked up by its source text behind one mutex, ten or more
//! times per number) and in the general-purpose parser. For the digits [`super::number`] hands
//! over (E.164 digits, country calling code known) the verdict reduces to: pick the region's
//! metadata as `phonenumber` does (the only region of the calling code, or the first region
//! whose leading digits or number patterns match), and ask whether the national number matches
//! the general pattern and at least one number type. This module does exactly that with the same
//! metadata and the same pattern texts, compiled once per calling code into plain anchored
//! [`Regex`]es.
//!
//! It answers only when the parser would not rewrite the national number: a national number
//! starting with 0, or with the region's national prefix (`8` in Russia, `1` in the NANP), or
//! matching the region's national-prefix-for-parsing pattern, gets `None` and goes through the
//! full `phonenumber` check (the +7/+375 leading-8 workaround lives there too). Everything
//! else, which is almost every real international number, is decided here.
//! `tests/recipients_fast.rs` checks both paths agree on generated numbers.

use std::sync::OnceLock;

use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use regex::{Regex, RegexBuilder};

/// Country calling codes are at most three digits.
const CODES: usize = 1000;

/// One number-type pattern with its possible lengths (`Descriptor::is_match`).
#[derive(Debug)]
struct Pattern {
    lengths: Vec<u16>,
    regex: Regex,
}

impl Pattern {
    fn new(descriptor: &Descriptor) -> Self {
        Pattern {
            lengths: descriptor.possible_length().to_vec(),
            regex: anchored(descriptor.national_number().as_str()),
        }
    }

    fn is_match(&self, national: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(national.len() as u16)))
            && self.regex.is_match(national)
    }
}

/// The metadata of one region, as far as validation reads it.
#[derive(Debug)]
struct Region {
    leading_digits: Option<Regex>,
    general: Pattern,
    /// Every type `phonenumber::number_type` tries, mobile and fixed line first: the verdict is
    /// only "some type matched", so their order does not matter.
    types: Vec<Pattern>,
    national_prefix: Option<String>,
    national_prefix_for_parsing: Option<Regex>,
}

impl Region {
    fn new(meta: &Metadata) -> Self {
        let d = meta.descriptors();
        let types = [
            d.mobile(),
            d.fixed_line(),
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .map(Pattern::new)
        .collect();
        Region {
            leading_digits: meta.leading_digits().map(|re| anchored(re.as_str())),
            general: Pattern::new(d.general()),
            types,
            national_prefix: meta.national_prefix().map(str::to_owned),
            national_prefix_for_parsing: meta
                .national_prefix_for_parsing()
                .map(|re| anchored(re.as_str())),
        }
    }

    /// `phonenumber::validator::number_type(..) != Type::Unknown`.
    fn has_type(&self, national: &str) -> bool {
        self.general.is_match(national) && self.types.iter().any(|t| t.is_match(national))
    }

    /// Whether `phonenumber::parse` would leave the national number as it is: no national
    /// prefix (for parsing) at its start.
    fn parse_keeps(&self, national: &str) -> bool {
        let by_pattern = self
            .national_prefix_for_parsing
            .as_ref()
            .is_some_and(|re| re.is_match(national));
        let by_prefix = self
            .national_prefix
            .as_deref()
            .is_some_and(|prefix| national.starts_with(prefix));
        !by_pattern && !by_prefix
    }
}

/// How `phonenumber::validator::source_for` picks the metadata of a calling code.
#[derive(Debug)]
enum Source {
    /// No usable metadata: every number of the code is invalid.
    Nothing,
    /// One region (or a non-geographic entity).
    Single(Region),
    /// Several regions sharing the code (+1, +7, +44, ...), tried in the database's order.
    Shared(Vec<Region>),
}

impl Source {
    fn of(code: u16) -> Self {
        let Some(regions) = DATABASE.region(&code) else {
            return Source::Nothing;
        };
        if regions.len() == 1 {
            let meta = if regions[0] == "001" {
                DATABASE
                    .by_code(&code)
                    .and_then(|metas| metas.into_iter().next())
            } else {
                regions[0]
                    .parse::<phonenumber::country::Id>()
                    .ok()
                    .and_then(|id| DATABASE.by_id(id.as_ref()))
            };
            return meta.map_or(Source::Nothing, |meta| Source::Single(Region::new(meta)));
        }
        let metas: Option<Vec<Region>> = regions
            .iter()
            .map(|region| DATABASE.by_id(*region).map(Region::new))
            .collect();
        metas.map_or(Source::Nothing, Source::Shared)
    }

    fn region(&self, national: &str) -> Option<&Region> {
        match self {
            Source::Nothing => None,
            Source::Single(region) => Some(region),
            Source::Shared(regions) => regions.iter().find(|region| match &region.leading_digits {
                Some(leading) => leading.is_match(national),
                None => region.has_type(national),
            }),
        }
    }
}

/// A pattern anchored at the start, as `phonenumber` uses them (`find` then `start() == 0`);
/// whitespace is ignored as in its metadata loader.
fn anchored(source: &str) -> Regex {
    RegexBuilder::new(&format!("^(?:{source}\n)"))
        .ignore_whitespace(true)
        .build()
        .unwrap_or_else(|_| {
            // Unreachable with the bundled metadata (it compiled there); never matching
            // would turn a valid number into a refusal, so fail loudly in tests instead.
            debug_assert!(false, "libphonenumber pattern does not compile: {source}");
            Regex::new("[^\\s\\S]").expect("an empty class compiles")
        })
}

fn codes() -> &'static [OnceLock<Source>] {
    static CODES_TABLE: OnceLock<Vec<OnceLock<Source>>> = OnceLock::new();
    CODES_TABLE.get_or_init(|| (0..CODES).map(|_| OnceLock::new()).collect())
}

fn known_codes() -> &'static [bool] {
    static KNOWN: OnceLock<Vec<bool>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        (0..CODES as u16)
            .map(|code| DATABASE.region(&code).is_some())
            .collect()
    })
}

/// The country calling code the digits start with, if libphonenumber knows it: the same
/// answer as looking each prefix up in its database, without allocating.
pub(crate) fn country_code(digits: &str) -> Option<u16> {
    let known = known_codes();
    (1..=3)
        .filter(|len| digits.len() > *len)
        .filter_map(|len| digits[..len].parse::<u16>().ok())
        .find(|code| known.get(usize::from(*code)).copied().unwrap_or(false))
}

/// `phonenumber`'s verdict (parse, then `is_valid`) on the national number of a calling code
/// it knows, or `None` when the parser would rewrite the number and only it can tell.
pub(crate) fn parser_valid(code: u16, national: &str) -> Option<bool> {
    if national.is_empty() || national.starts_with('0') {
        return None;
    }
    let source = codes()
        .get(usize::from(code))?
        .get_or_init(|| Source::of(code));
    let Some(region) = source.region(national) else {
        // Neither parse nor is_valid finds metadata: the number stays as it is and is invalid.
        return Some(false);
    };
    if !region.parse_keeps(national) {
        return None;
    }
    Some(region.has_type(national))
}
